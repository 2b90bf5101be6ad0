import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import type { Item } from './item';
import { itemIdSchema, itemInputSchema, type ItemInput } from './item.dto';
import { ItemsService } from './items.service';

const idPipe = new ZodValidationPipe(itemIdSchema, 'id');
const bodyPipe = new ZodValidationPipe(itemInputSchema, 'body');

/** Items by id and the writes. GET /items itself is a plain Fastify route: see items-list.route.ts. */
@Controller('items')
export class ItemsController {
  constructor(private readonly items: ItemsService) {}

  @Get(':id')
  get(@Param('id', idPipe) id: number): Promise<Item> {
    return this.items.get(id);
  }

  @Post()
  create(@Body(bodyPipe) input: ItemInput): Promise<Item> {
    return this.items.create(input);
  }

  @Put(':id')
  update(@Param('id', idPipe) id: number, @Body(bodyPipe) input: ItemInput): Promise<Item> {
    return this.items.update(id, input);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@Param('id', idPipe) id: number): Promise<void> {
    return this.items.remove(id);
  }
}
