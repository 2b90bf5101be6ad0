import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import type { Item } from './item';
import { itemIdSchema, itemInputSchema, type ItemInput } from './item.dto';
import { ItemsService } from './items.service';

const idPipe = new ZodValidationPipe(itemIdSchema, 'id');
const bodyPipe = new ZodValidationPipe(itemInputSchema, 'body');

@Controller('items')
export class ItemsController {
  constructor(private readonly items: ItemsService) {}

  /**
   * The read path: no pipe, no interceptor, no parameter to resolve (a @Res() parameter costs Nest more per request
   * than letting it send the value). The body is already JSON text (on a hit, the bytes stored in Redis, with
   * "source":"cache" in them), so Fastify sends it as it is, with its length.
   */
  @Get()
  @Header('content-type', 'application/json; charset=utf-8')
  list(): Promise<Buffer | string> {
    return this.items.listBody();
  }

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
