/** JSON logs for every app: one object per line, level as a word, ISO time, the service it came from. */
import type { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

export function createLogger(level: string, service: string): Logger {
  return pino({ level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } });
}

/** Nest's own messages through the same pino logger as everything else. */
export class PinoNestLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, context?: string) {
    this.pino.info({ context }, text(message));
  }

  error(message: unknown, trace?: string, context?: string) {
    this.pino.error({ context, trace }, text(message));
  }

  warn(message: unknown, context?: string) {
    this.pino.warn({ context }, text(message));
  }

  debug(message: unknown, context?: string) {
    this.pino.debug({ context }, text(message));
  }

  verbose(message: unknown, context?: string) {
    this.pino.trace({ context }, text(message));
  }
}

const text = (message: unknown) => (typeof message === 'string' ? message : JSON.stringify(message));
