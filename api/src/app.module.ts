import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CacheModule } from './cache/cache.module';
import { HttpErrorFilter } from './common/http-error.filter';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { ItemsModule } from './items/items.module';
import type { ConnectionDrain } from './lifecycle/connection-drain';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import type { JsonLogger } from './logging/json-logger';
import { LoggingModule } from './logging/logging.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: JsonLogger, drain: ConnectionDrain): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger),
        DatabaseModule,
        CacheModule,
        ItemsModule,
        HealthModule,
        LifecycleModule.forRoot(drain),
      ],
      providers: [{ provide: APP_FILTER, useClass: HttpErrorFilter }],
    };
  }
}
