/**
 * The worker's only HTTP surface (it serves no API): /health/live, /health/ready (503 while a
 * dependency is down) and Prometheus /metrics, on HOST:WORKER_PORT.
 */
import http from 'node:http';
import { Injectable } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { WorkerMetrics } from '../metrics/worker-metrics';
import { Readiness } from './readiness';

@Injectable()
export class HealthServer {
  private server: http.Server | null = null;
  private readonly registry: Registry;

  constructor(
    private readonly readiness: Readiness,
    metrics: WorkerMetrics,
  ) {
    this.registry = metrics.registry;
  }

  async listen(port: number, host: string): Promise<void> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, () => resolve()));
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = new URL(req.url ?? '/', 'http://worker').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'only GET and HEAD are served here' });
    try {
      if (path === '/health/live') return json(200, { status: 'ok' });
      if (path === '/health/ready') {
        const report = await this.readiness.check();
        return json(report.status === 'ok' ? 200 : 503, report);
      }
      if (path === '/metrics') {
        res.writeHead(200, { 'Content-Type': this.registry.contentType });
        res.end(await this.registry.metrics());
        return;
      }
      json(404, { error: `no route ${path}: try /health/live, /health/ready or /metrics` });
    } catch (err) {
      json(500, { error: (err as Error).message });
    }
  }
}
