/** Caliper API entry point: validates configuration, then serves on HOST:API_PORT (127.0.0.1 by default). */
import { AuthService } from '@caliper/server-kit';
import 'reflect-metadata';
import { existsSync, stat } from 'node:fs';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import express, { NextFunction, Request, Response } from 'express';
import { Config, ConfigError, loadConfig } from '@caliper/config';
import { AppModule } from './app.module';
import { bodyParsers } from './ingest/body-limits';
import { refuseUnstorableText } from './common/text-edge';
import { cancelQueriesOnDisconnect } from './common/query-scope.middleware';
import { graphqlCostGate } from './graphql/limits';
import { authenticateEarly } from './auth/early-auth';
import { refuseCrossSiteCookieWrites } from './auth/csrf';
import { createLogger, PinoNestLogger } from '@caliper/observability';
import { UsersService } from './users/users.service';

/**
 * Security headers of the web app, the same the web image's nginx sends (apps/web/security-headers.conf;
 * a test keeps them equal). The built app has no inline script or style and talks only to this origin.
 */
export const WEB_SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
} as const;

/** Encodings of the copies the web build writes beside its scripts and style sheets (apps/web/vite.config.ts), best first. */
const PRECOMPRESSED = [
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
] as const;

/**
 * Serves a file of the web build's assets/ compressed, from the copy the build wrote beside it,
 * to a browser that accepts that encoding (a run page's scripts are 0.9 MB as built, 0.25 MB as
 * Brotli): compressed once at build rather than on every answer. Else, or without a copy, the
 * next handler serves the file as it is.
 */
function precompressedAssets(dir: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Vary', 'Accept-Encoding');
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const name = req.path.slice(1);
    if (!/^[\w.-]+$/.test(name) || name.startsWith('.')) return next();
    const accepted = PRECOMPRESSED.filter((p) => req.acceptsEncodings(p.encoding) === p.encoding);
    const tryNext = (i: number): void => {
      const p = accepted[i];
      if (!p) return next();
      stat(path.join(dir, name + p.suffix), (err, st) => {
        if (err || !st.isFile()) return tryNext(i + 1);
        res.setHeader('Content-Encoding', p.encoding);
        res.type(path.extname(name));
        res.sendFile(name + p.suffix, { root: dir, maxAge: '1y', immutable: true }, (sendErr) => {
          if (sendErr && !res.headersSent) {
            res.removeHeader('Content-Encoding');
            next();
          }
        });
      });
    };
    tryNext(0);
  };
}

/** Serves the built web app at / with a fallback to index.html for client-side routes, with the security headers on every answer. */
function serveWeb(app: NestExpressApplication, dir: string): void {
  const index = path.join(dir, 'index.html');
  if (!existsSync(index))
    throw new ConfigError([`WEB_DIST_DIR: ${dir} holds no index.html (build the web app with \`npx nx run web:build\`)`]);
  app.use((_req: Request, res: Response, next: NextFunction) => {
    for (const [name, value] of Object.entries(WEB_SECURITY_HEADERS)) res.setHeader(name, value);
    next();
  });
  // Vite names these files by their content: a new build brings new names, so a browser may keep
  // them a year without asking again (a first visit's later pages and every return visit).
  const assets = path.join(dir, 'assets');
  app.use('/assets', precompressedAssets(assets), express.static(assets, { index: false, maxAge: '1y', immutable: true }));
  app.use(express.static(dir, { index: false, maxAge: '1h' }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    const isApi =
      req.path.startsWith('/api/') ||
      req.path.startsWith('/ajax-api/') ||
      req.path === '/graphql' ||
      req.path.startsWith('/health/') ||
      req.path === '/metrics';
    if (req.method !== 'GET' || isApi) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}

/** TRUST_PROXY as Express reads it: booleans and hop counts typed, names/subnets as given. */
function trustProxySetting(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}

export async function createApp(
  config: Config,
  logger = new PinoNestLogger(createLogger(config.LOG_LEVEL, 'caliper-api')),
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config), { logger, bodyParser: false });
  app.use(cancelQueriesOnDisconnect);
  app.use(cookieParser());
  app.use(refuseCrossSiteCookieWrites);
  app.use(authenticateEarly(app.get(AuthService)));
  app.use(bodyParsers(config.MAX_BATCH_BODY_MB));
  app.use(refuseUnstorableText);
  app.use(graphqlCostGate(() => app.get(GraphQLSchemaHost).schema));
  app.disable('x-powered-by');
  // No ETag on API answers: Express would hash every body (2 MB for a page of metric history) for
  // a conditional GET that API clients never make. The web app's static files keep theirs.
  app.set('etag', false);
  app.set('trust proxy', trustProxySetting(config.TRUST_PROXY));
  if (config.WEB_DIST_DIR) serveWeb(app, path.resolve(config.WEB_DIST_DIR));
  app.enableShutdownHooks();
  await app.init();
  if (config.BOOTSTRAP_ADMIN_PASSWORD) {
    const outcome = await app.get(UsersService).ensureFirstAdmin(config.BOOTSTRAP_ADMIN_USERNAME, config.BOOTSTRAP_ADMIN_PASSWORD);
    if (outcome === 'created') logger.pino.info({ username: config.BOOTSTRAP_ADMIN_USERNAME }, 'first system admin created');
  }
  return app;
}

export async function bootstrap() {
  const config = loadConfig();
  const logger = new PinoNestLogger(createLogger(config.LOG_LEVEL, 'caliper-api'));
  const app = await createApp(config, logger);
  await app.listen(config.API_PORT, config.HOST);
  logger.pino.info({ url: `http://${config.HOST}:${config.API_PORT}` }, 'caliper api listening');
  return app;
}

if (require.main === module) {
  bootstrap().catch((err: Error) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  });
}
