import { Registry } from 'prom-client';
import { checkReadiness, dependencyUpGauge } from '../readiness';

describe('checkReadiness', () => {
  it('reports each dependency, is down when one is, and sets the gauge per dependency', async () => {
    const registry = new Registry();
    const gauge = dependencyUpGauge(registry);
    const report = await checkReadiness(
      {
        postgres: async () => 1,
        s3: async () => {
          throw new Error('connection refused');
        },
      },
      gauge,
    );
    expect(report.status).toBe('down');
    expect(report.checks.postgres.status).toBe('ok');
    expect(report.checks.s3).toMatchObject({ status: 'down', error: 'connection refused' });
    const text = await registry.metrics();
    expect(text).toMatch(/caliper_dependency_up\{dependency="postgres"\} 1/);
    expect(text).toMatch(/caliper_dependency_up\{dependency="s3"\} 0/);
  });

  it('counts a dependency that never answers as down after the timeout', async () => {
    const report = await checkReadiness({ redis: () => new Promise(() => undefined) });
    expect(report.checks.redis).toMatchObject({ status: 'down', error: 'no answer in 2000 ms' });
  });
});
