/**
 * Metric directions: whether each metric key of a project is better low or high, which decides
 * its "best" value everywhere (runs table, compare page, GraphQL's LatestMetric.best). A key
 * nobody set follows defaultMetricDirection; a set one is kept per project (metric_directions),
 * changed in its own audited transaction. Setting what is already in force changes nothing.
 */
import { actorOf, Principal } from '@caliper/server-kit';
import { badInput, defaultMetricDirection, type MetricDirection } from '@caliper/domain';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRepository } from '@caliper/persistence';
import { MetricDirectionsRepository } from './metric-directions.repository';
import './views.audit';

export interface DirectionSetting {
  key: string;
  direction: MetricDirection;
  isDefault: boolean;
}

/** The direction of `key` given a project's set directions. */
export const directionOf = (set: ReadonlyMap<string, MetricDirection>, key: string): DirectionSetting => {
  const chosen = set.get(key);
  return { key, direction: chosen ?? defaultMetricDirection(key), isDefault: chosen === undefined };
};

@Injectable()
export class MetricDirectionsService {
  constructor(
    private readonly ds: DataSource,
    private readonly directions: MetricDirectionsRepository,
    private readonly audit: AuditRepository,
  ) {}

  /** Each project's set directions, by key. */
  async ofProjects(projectIds: readonly string[]): Promise<Map<string, Map<string, MetricDirection>>> {
    const rows = await this.directions.ofProjects(projectIds);
    const out = new Map(projectIds.map((id) => [id, new Map<string, MetricDirection>()]));
    for (const r of rows) out.get(r.projectId)?.set(r.key, r.direction);
    return out;
  }

  /** Sets a key's direction (`null`: back to the default). The key must be a metric some run of the project logged. */
  async set(principal: Principal, projectId: string, key: string, direction: MetricDirection | null): Promise<DirectionSetting> {
    const logged: unknown[] = await this.ds.query(
      `SELECT 1 FROM metric_keys k WHERE k.name = $2
         AND EXISTS (SELECT 1 FROM latest_metrics l JOIN runs r ON r.id = l.run_id WHERE l.key_id = k.id AND r.project_id = $1)`,
      [projectId, key],
    );
    if (!logged.length) throw badInput('key', `"${key.slice(0, 80)}" is not a metric logged by a run of this project`);
    return this.ds.transaction(async (m) => {
      const before = await this.directions.findForUpdate(m, projectId, key);
      const was = before?.direction ?? null;
      if (was !== direction) {
        if (direction) await this.directions.upsert(m, projectId, key, direction, principal.user.id);
        else await this.directions.delete(m, projectId, key);
        await this.audit.append(m, {
          ...actorOf(principal),
          action: direction ? 'metric_direction.set' : 'metric_direction.reset',
          entityType: 'metric_direction',
          entityId: key,
          projectId,
          before: { key, direction: was ?? defaultMetricDirection(key), isDefault: was === null },
          after: { key, direction: direction ?? defaultMetricDirection(key), isDefault: direction === null },
        });
      }
      return directionOf(new Map(direction ? [[key, direction]] : []), key);
    });
  }
}
