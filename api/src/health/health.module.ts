import { Module } from '@nestjs/common';
import { CacheHealthIndicator } from './cache.health';
import { DatabaseHealthIndicator } from './database.health';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

@Module({
  controllers: [HealthController],
  providers: [DatabaseHealthIndicator, CacheHealthIndicator, HealthService],
})
export class HealthModule {}
