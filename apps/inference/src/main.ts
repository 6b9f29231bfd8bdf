/** Caliper inference service entry point: validates configuration, then serves on HOST:INFERENCE_PORT (127.0.0.1 by default). */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { ConfigError, loadConfig } from '@caliper/config';
import { InferenceModule } from './inference.module';
import { PinoNestLogger } from './pino-nest-logger';

export async function bootstrap() {
  const config = loadConfig();
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'caliper-inference' }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } });
  const app = await NestFactory.create(InferenceModule.forConfig(config), { logger: new PinoNestLogger(logger) });
  app.enableShutdownHooks();
  await app.listen(config.INFERENCE_PORT, config.HOST);
  logger.info({ url: `http://${config.HOST}:${config.INFERENCE_PORT}` }, 'caliper inference listening');
  return app;
}

if (require.main === module) {
  bootstrap().catch((err: Error) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  });
}
