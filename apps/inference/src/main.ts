/** Caliper inference service entry point: validates configuration, then serves on HOST:INFERENCE_PORT (127.0.0.1 by default). */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '@caliper/config';
import { createLogger, PinoNestLogger } from '@caliper/observability';
import { InferenceModule } from './inference.module';

export async function bootstrap() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'caliper-inference');
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
