/**
 * Saved views: named URL query states of a project's compare page or runs table. Saving under an
 * existing name overwrites that view; saves and deletes are audited in their own transaction.
 */
import { actorOf, Principal } from '@caliper/server-kit';
import { badInput, notFound } from '@caliper/domain';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRepository, SavedViewEntity, SavedViewKind, SavedViewsRepository } from '@caliper/persistence';

export interface SaveViewCommand {
  projectId: string;
  kind: SavedViewKind;
  name: string;
  state: { key: string; value: string }[];
}

const snapshot = (v: SavedViewEntity) => ({ name: v.name, kind: v.kind, state: v.state });

@Injectable()
export class ViewsService {
  constructor(
    private readonly ds: DataSource,
    private readonly views: SavedViewsRepository,
    private readonly audit: AuditRepository,
  ) {}

  list(projectId: string, kind: SavedViewKind): Promise<SavedViewEntity[]> {
    return this.views.list(projectId, kind);
  }

  async save(principal: Principal, cmd: SaveViewCommand): Promise<SavedViewEntity> {
    const name = cmd.name.trim();
    if (!name) throw badInput('name', 'must not be blank');
    const state: Record<string, string> = {};
    for (const { key, value } of cmd.state) {
      if (Object.prototype.hasOwnProperty.call(state, key)) throw badInput('state', `names the parameter "${key}" twice`);
      state[key] = value;
    }
    return this.ds.transaction(async (m) => {
      const before = await this.views.findByNameForUpdate(m, cmd.projectId, cmd.kind, name);
      const after = await this.views.upsert(m, { projectId: cmd.projectId, kind: cmd.kind, name, state, createdBy: principal.user.id });
      await this.audit.append(m, {
        ...actorOf(principal),
        action: before ? 'view.updated' : 'view.created',
        entityType: 'saved_view',
        entityId: after.id,
        projectId: after.projectId,
        before: before ? snapshot(before) : null,
        after: snapshot(after),
      });
      return after;
    });
  }

  /** Deleting a view that is already gone is not an error (retries are safe); one of another project is not found. */
  async delete(principal: Principal, projectId: string, id: string): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const existing = await this.views.findById(id, m);
      if (!existing) return false;
      if (existing.projectId !== projectId) throw notFound(`Saved view ${id}`);
      await this.views.delete(m, id);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'view.deleted',
        entityType: 'saved_view',
        entityId: id,
        projectId,
        before: snapshot(existing),
        after: null,
      });
      return true;
    });
  }
}
