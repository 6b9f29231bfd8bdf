/**
 * Run templates (issue 15, item 1): the only code that touches run_templates and
 * run_template_versions. Versions are written, never changed (a trigger refuses it); a new
 * version takes the next number under a lock on its template, so two concurrent writers get 2
 * and 3, never 2 twice.
 */
import { DataSource, EntityManager } from 'typeorm';
import type { ExecutorKind, RunTemplateDefinition, TemplateParameter, TemplateResources } from '@caliper/domain';

export interface RunTemplateRow {
  id: string;
  projectId: string;
  name: string;
  createdBy: string;
  createdAt: Date;
}

export interface RunTemplateVersionRow extends RunTemplateDefinition {
  id: string;
  templateId: string;
  projectId: string;
  version: number;
  createdBy: string;
  createdByUsername: string;
  createdAt: Date;
  /** e.g. 'kidney-ct v3' and 'unet-kidney v2', for pages and the CLI. */
  datasetVersionLabel: string | null;
  initialModelVersionLabel: string | null;
}

/** The most templates one project lists; a project past it is told so rather than served a partial list silently. */
export const MAX_TEMPLATES_PER_PROJECT = 500;
/** The most versions one template lists (newest first). */
export const MAX_TEMPLATE_VERSIONS = 200;

const TEMPLATE_COLUMNS = `t.id, t.project_id AS "projectId", t.name, t.created_by AS "createdBy", t.created_at AS "createdAt"`;
const VERSION_COLUMNS = `v.id, v.template_id AS "templateId", t.project_id AS "projectId", v.version, v.description, v.architecture,
  v.initial_model_version_id AS "initialModelVersionId", v.dataset_version_id AS "datasetVersionId", v.parameters, v.resources,
  v.executor, v.image, v.command, v.created_by AS "createdBy", u.username AS "createdByUsername", v.created_at AS "createdAt",
  (SELECT d.name || ' v' || dv.number FROM dataset_versions dv JOIN datasets d ON d.id = dv.dataset_id WHERE dv.id = v.dataset_version_id) AS "datasetVersionLabel",
  (SELECT rm.name || ' v' || mv.version FROM model_versions mv JOIN registered_models rm ON rm.id = mv.registered_model_id
   WHERE mv.id = v.initial_model_version_id) AS "initialModelVersionLabel"`;
const VERSION_FROM = `run_template_versions v JOIN run_templates t ON t.id = v.template_id JOIN users u ON u.id = v.created_by`;

interface VersionDbRow extends Omit<RunTemplateVersionRow, 'parameters' | 'resources' | 'executor'> {
  parameters: TemplateParameter[];
  resources: TemplateResources;
  executor: ExecutorKind;
}

const toVersion = (r: VersionDbRow): RunTemplateVersionRow => ({ ...r });

export class RunTemplatesRepository {
  constructor(private readonly ds: DataSource) {}

  /** A new template; throws the unique violation (23505) when the project has one of that name, in any case. */
  async create(m: EntityManager, t: { projectId: string; name: string; createdBy: string }): Promise<RunTemplateRow> {
    const rows: RunTemplateRow[] = await m.query(
      `INSERT INTO run_templates AS t (project_id, name, created_by) VALUES ($1, $2, $3) RETURNING ${TEMPLATE_COLUMNS}`,
      [t.projectId, t.name, t.createdBy],
    );
    return rows[0]!;
  }

  /** The template, locked for the rest of the transaction (a new version is numbered under this lock). */
  async lock(m: EntityManager, id: string): Promise<RunTemplateRow | null> {
    const rows: RunTemplateRow[] = await m.query(`SELECT ${TEMPLATE_COLUMNS} FROM run_templates t WHERE t.id = $1 FOR UPDATE`, [id]);
    return rows[0] ?? null;
  }

  /** The next version of a template the caller has locked. */
  async addVersion(m: EntityManager, templateId: string, def: RunTemplateDefinition, createdBy: string): Promise<RunTemplateVersionRow> {
    const ids: { id: string }[] = await m.query(
      `INSERT INTO run_template_versions (template_id, version, description, architecture, initial_model_version_id, dataset_version_id,
         parameters, resources, executor, image, command, created_by)
       SELECT $1, COALESCE(MAX(version), 0) + 1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10::text[], $11
       FROM run_template_versions WHERE template_id = $1
       RETURNING id`,
      [
        templateId,
        def.description,
        def.architecture,
        def.initialModelVersionId,
        def.datasetVersionId,
        JSON.stringify(def.parameters),
        JSON.stringify(def.resources),
        def.executor,
        def.image,
        def.command,
        createdBy,
      ],
    );
    const rows: VersionDbRow[] = await m.query(`SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE v.id = $1`, [ids[0]!.id]);
    return toVersion(rows[0]!);
  }

  async template(id: string): Promise<RunTemplateRow | null> {
    const rows: RunTemplateRow[] = await this.ds.query(`SELECT ${TEMPLATE_COLUMNS} FROM run_templates t WHERE t.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** A project's templates by name, at most `limit` (the caller asks for one more to know there are more). */
  async ofProject(projectId: string, limit: number): Promise<RunTemplateRow[]> {
    return this.ds.query(`SELECT ${TEMPLATE_COLUMNS} FROM run_templates t WHERE t.project_id = $1 ORDER BY lower(t.name), t.id LIMIT $2`, [
      projectId,
      limit,
    ]);
  }

  async version(id: string): Promise<RunTemplateVersionRow | null> {
    const rows: VersionDbRow[] = await this.ds.query(`SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM} WHERE v.id = $1`, [id]);
    return rows[0] ? toVersion(rows[0]) : null;
  }

  /** Each template's versions, newest first, at most MAX_TEMPLATE_VERSIONS each. */
  async versionsOf(templateIds: readonly string[]): Promise<RunTemplateVersionRow[]> {
    const rows: VersionDbRow[] = await this.ds.query(
      `SELECT ${VERSION_COLUMNS} FROM ${VERSION_FROM}
       WHERE v.template_id = ANY($1::uuid[]) AND v.version > (SELECT MAX(version) FROM run_template_versions w WHERE w.template_id = v.template_id) - $2
       ORDER BY v.template_id, v.version DESC`,
      [templateIds, MAX_TEMPLATE_VERSIONS],
    );
    return rows.map(toVersion);
  }

  /** Each template's newest version. */
  async latestOf(templateIds: readonly string[]): Promise<RunTemplateVersionRow[]> {
    const rows: VersionDbRow[] = await this.ds.query(
      `SELECT DISTINCT ON (v.template_id) ${VERSION_COLUMNS} FROM ${VERSION_FROM}
       WHERE v.template_id = ANY($1::uuid[]) ORDER BY v.template_id, v.version DESC`,
      [templateIds],
    );
    return rows.map(toVersion);
  }

  /** The project of each template id (null: no such template), in the order asked. */
  async projectsOfTemplates(ids: readonly string[]): Promise<(string | null)[]> {
    const rows: { id: string; projectId: string }[] = await this.ds.query(
      `SELECT id, project_id AS "projectId" FROM run_templates WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r.projectId]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** The project of each template version id (null: no such version), in the order asked. */
  async projectsOfVersions(ids: readonly string[]): Promise<(string | null)[]> {
    const rows: { id: string; projectId: string }[] = await this.ds.query(
      `SELECT v.id, t.project_id AS "projectId" FROM run_template_versions v JOIN run_templates t ON t.id = v.template_id WHERE v.id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r.projectId]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** The project and state of a dataset version, for a template's reference to it (null: no such version). */
  async datasetVersionRef(m: EntityManager, id: string): Promise<{ projectId: string; state: string; label: string } | null> {
    const rows: { projectId: string; state: string; label: string }[] = await m.query(
      `SELECT d.project_id AS "projectId", dv.state, d.name || ' v' || dv.number AS label
       FROM dataset_versions dv JOIN datasets d ON d.id = dv.dataset_id WHERE dv.id = $1 FOR SHARE OF dv`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** The project of a model version and its label, for a template's initial weights (null: no such version). */
  async modelVersionRef(m: EntityManager, id: string): Promise<{ projectId: string; label: string; files: number } | null> {
    const rows: { projectId: string; label: string; files: number }[] = await m.query(
      `SELECT rm.project_id AS "projectId", rm.name || ' v' || mv.version AS label,
         (SELECT count(*)::int FROM model_version_files f WHERE f.model_version_id = mv.id) AS files
       FROM model_versions mv JOIN registered_models rm ON rm.id = mv.registered_model_id WHERE mv.id = $1 AND mv.deleted_time IS NULL AND rm.deleted_time IS NULL FOR SHARE OF mv`,
      [id],
    );
    return rows[0] ?? null;
  }
}
