/** Nest's logger as JSON lines through pino (one line per event, fields a log pipeline can index). */
import type { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

export class JsonLogger implements LoggerService {
  readonly pino: Logger;

  constructor(service: string, level: string) {
    this.pino = pino({ level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } });
  }

  private write(level: 'info' | 'warn' | 'error' | 'debug' | 'trace', message: unknown, rest: unknown[]) {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const msg = typeof message === 'string' ? message : JSON.stringify(message);
    this.pino[level]({ context }, msg);
  }

  log(message: unknown, ...rest: unknown[]) {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write('trace', message, rest);
  }
}
