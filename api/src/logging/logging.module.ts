import { type DynamicModule, Global, Module } from '@nestjs/common';
import { JsonLogger } from './json-logger';

/**
 * Shares the one JsonLogger created in createApp (it exists before Nest does, to receive Nest's own messages)
 * with every provider.
 */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(logger: JsonLogger): DynamicModule {
    return { module: LoggingModule, providers: [{ provide: JsonLogger, useValue: logger }], exports: [JsonLogger] };
  }
}
