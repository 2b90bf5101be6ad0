import { Module } from '@nestjs/common';
import { ItemsCache } from './items.cache';
import { ItemsController } from './items.controller';
import { ItemsRepository } from './items.repository';
import { ItemsSchema } from './items.schema';
import { ItemsService } from './items.service';

@Module({
  controllers: [ItemsController],
  providers: [ItemsSchema, ItemsRepository, ItemsCache, ItemsService],
})
export class ItemsModule {}
