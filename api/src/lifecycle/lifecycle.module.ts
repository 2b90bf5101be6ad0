import { type DynamicModule, Module } from '@nestjs/common';
import { ConnectionDrain } from './connection-drain';
import { ShutdownListener } from './shutdown.listener';

/** Shutdown behaviour. The ConnectionDrain is created in createApp, which registers its Fastify hook. */
@Module({})
export class LifecycleModule {
  static forRoot(drain: ConnectionDrain): DynamicModule {
    return { module: LifecycleModule, providers: [{ provide: ConnectionDrain, useValue: drain }, ShutdownListener] };
  }
}
