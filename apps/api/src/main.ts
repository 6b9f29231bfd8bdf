/** Caliper API entry point: validates configuration, then serves on HOST:API_PORT (127.0.0.1 by default). */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadConfig } from '@caliper/config';
import { AppModule } from './app.module';

export async function bootstrap() {
  const config = loadConfig();
  const app = await NestFactory.create(AppModule.forConfig(config), { logger: ['error', 'warn', 'log'] });
  app.enableShutdownHooks();
  await app.listen(config.API_PORT, config.HOST);
  console.log(JSON.stringify({ level: 'info', msg: 'caliper api listening', url: `http://${config.HOST}:${config.API_PORT}` }));
  return app;
}

if (require.main === module) {
  bootstrap().catch((err: Error) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  });
}
