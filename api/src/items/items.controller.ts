import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import type { Item } from './item';
import { itemIdSchema, itemInputSchema, type ItemInput } from './item.dto';
import { ItemsService } from './items.service';

const idPipe = new ZodValidationPipe(itemIdSchema, 'id');
const bodyPipe = new ZodValidationPipe(itemInputSchema, 'body');
const JSON_TYPE = 'application/json; charset=utf-8';

@Controller('items')
export class ItemsController {
  constructor(private readonly items: ItemsService) {}

  /**
   * The read path: no pipe, no interceptor, no response mapping. The body is already JSON (on a hit, the bytes
   * stored in Redis, "source":"cache" included), so it goes to Fastify as it is; Fastify sets its length.
   */
  @Get()
  async list(@Res() reply: FastifyReply): Promise<void> {
    const body = await this.items.listBody();
    void reply.header('content-type', JSON_TYPE).send(body);
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
