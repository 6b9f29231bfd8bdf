/** metric_directions: the only code that writes it (the runs table's order by a best value reads it too, in RunSearchRepository). */
import { DataSource, EntityManager, In } from 'typeorm';
import type { MetricDirection } from '@caliper/domain';
import { MetricDirectionEntity } from './metric-directions.entity';

export class MetricDirectionsRepository {
  constructor(private readonly ds: DataSource) {}

  /** The directions set in each project, one statement for every project asked. */
  async ofProjects(projectIds: readonly string[]): Promise<MetricDirectionEntity[]> {
    if (!projectIds.length) return [];
    return this.ds.manager.find(MetricDirectionEntity, { where: { projectId: In([...projectIds]) } });
  }

  /** The row of one key, locked for the rest of the transaction (FOR UPDATE). */
  findForUpdate(manager: EntityManager, projectId: string, key: string): Promise<MetricDirectionEntity | null> {
    return manager.createQueryBuilder(MetricDirectionEntity, 'd').setLock('pessimistic_write').where({ projectId, key }).getOne();
  }

  /** Sets the key's direction (one statement: two concurrent sets cannot both insert). */
  async upsert(manager: EntityManager, projectId: string, key: string, direction: MetricDirection, by: string | null): Promise<void> {
    await manager.query(
      `INSERT INTO metric_directions (project_id, key, direction, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (project_id, key) DO UPDATE SET direction = EXCLUDED.direction, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [projectId, key, direction, by],
    );
  }

  async delete(manager: EntityManager, projectId: string, key: string): Promise<void> {
    await manager.delete(MetricDirectionEntity, { projectId, key });
  }
}
