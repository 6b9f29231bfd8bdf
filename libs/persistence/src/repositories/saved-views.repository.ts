/** Saved views of the compare page and the runs table: the only code that reads or writes saved_views. */
import { DataSource, EntityManager } from 'typeorm';
import { SavedViewEntity, type SavedViewKind } from '../entities/saved-view.entity';
import { singleRow } from '../single-row';

export class SavedViewsRepository {
  constructor(private readonly ds: DataSource) {}

  /** A project's views of one kind, by name. */
  list(projectId: string, kind: SavedViewKind): Promise<SavedViewEntity[]> {
    return this.ds.manager.find(SavedViewEntity, { where: { projectId, kind }, order: { name: 'ASC' } });
  }

  findById(id: string, manager?: EntityManager): Promise<SavedViewEntity | null> {
    return (manager ?? this.ds.manager).findOneBy(SavedViewEntity, { id });
  }

  /** The view of that name, locked for the rest of the transaction (FOR UPDATE). */
  findByNameForUpdate(manager: EntityManager, projectId: string, kind: SavedViewKind, name: string): Promise<SavedViewEntity | null> {
    return manager.createQueryBuilder(SavedViewEntity, 'v').setLock('pessimistic_write').where({ projectId, kind, name }).getOne();
  }

  /**
   * Creates the view, or overwrites the state of the one with that name (its id, creator and
   * created_at stay). One statement, so two concurrent saves of one name cannot both insert.
   */
  async upsert(
    manager: EntityManager,
    v: { projectId: string; kind: SavedViewKind; name: string; state: Record<string, string>; createdBy: string | null },
  ): Promise<SavedViewEntity> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO saved_views (project_id, kind, name, state, created_by) VALUES ($1, $2, $3, $4::jsonb, $5)
       ON CONFLICT ON CONSTRAINT "UQ_saved_views_project_kind_name" DO UPDATE SET state = EXCLUDED.state, updated_at = now()
       RETURNING id`,
      [v.projectId, v.kind, v.name, JSON.stringify(v.state), v.createdBy],
    );
    return manager.findOneByOrFail(SavedViewEntity, { id: singleRow(rows, 'the saved view upsert').id });
  }

  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(SavedViewEntity, { id });
  }
}
