/**
 * The MLflow 2.x model-registry wire over RegisteredModelsService and ModelVersionsService: reads MLflow's arguments (with its
 * messages for missing and malformed ones), resolves model names to projects, and writes the JSON
 * MLflow's server writes — field order, enum spellings ('None', 'Staging', 'Production',
 * 'Archived'; 'READY'), versions as strings, unset optional fields and empty lists omitted, and
 * `aliases` only where MLflow 2.10 includes them (single-version answers, not latest_versions or
 * search results).
 *
 * Names: MLflow has no projects. A bare name lives in the caller's project (a token's project, a
 * Basic user's default project); `project-slug/name` names another project the caller belongs
 * to. Answers use the name the same caller would use, so a client can send it back.
 */
import type { Principal } from '@caliper/server-kit';
import { Injectable } from '@nestjs/common';
import { fromMlflowStage, parseModelVersion, toMlflowStage, TrackingError } from '@caliper/domain';
import type { RegisteredModelEntity } from '@caliper/persistence';
import type { ProjectLocator } from '../auth/locators';
import type { Loaders } from '../graphql/loaders';
import { callerProject, splitExperimentName } from '../mlflow/mlflow-project';
import { keyValues, optionalInt64, optionalString, requiredString, stringList, WireArgs } from '../mlflow/mlflow-wire';
import { ModelVersionsService } from './model-versions.service';
import { RegisteredModelsService } from './registered-models.service';
import { ModelRef, ModelView, VersionView } from './registry.types';

/** The project a model name refers to: `slug/name`, else the caller's project. */
async function resolveName(name: string, principal: Principal, loaders: Loaders): Promise<ModelRef> {
  const split = await splitExperimentName(name, loaders);
  return { projectId: split.projectId ?? (await callerProject(principal, loaders)), name: split.name };
}

const missing = (name: string) =>
  new TrackingError(
    'INVALID_PARAMETER',
    `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`,
  );

/** Guard locator: the model named by the request's `name`, resolved once for the guard and the handler. */
export const projectOfModelName: ProjectLocator = async (args, loaders, principal, resolved) => {
  resolved.named = await resolveName(requiredString(args, 'name'), principal, loaders);
  const { name } = resolved.named;
  resolved.notFound = () => new TrackingError('NOT_FOUND', `Registered Model with name=${name} not found`);
  return resolved.named.projectId;
};

/** A filter's `name = / LIKE / ILIKE 'slug/…'` picks that project; otherwise searches cover the caller's project. */
const SLUG_IN_FILTER = /\bname\s*(?:=|LIKE|ILIKE)\s*'([a-z0-9][a-z0-9-]*)\//i;

async function searchScope(args: WireArgs, principal: Principal, loaders: Loaders): Promise<{ projectId: string; filter: string | null }> {
  const filter = optionalString(args, 'filter');
  const slug = filter ? SLUG_IN_FILTER.exec(filter)?.[1] : undefined;
  const project = slug ? await loaders.projectBySlug.load(slug.toLowerCase()) : null;
  if (project && filter)
    return { projectId: project.id, filter: filter.replace(new RegExp(`(\\bname\\s*(?:=|LIKE|ILIKE)\\s*')${slug}/`, 'gi'), '$1') };
  return { projectId: await callerProject(principal, loaders), filter };
}

export const projectOfRegistrySearch: ProjectLocator = async (args, loaders, principal) =>
  (await searchScope(args, principal, loaders)).projectId;

function flag(args: WireArgs, name: string): boolean {
  const v = args[name];
  if (v === undefined || v === null || v === '') return false;
  if (v === true || v === 'true' || v === 'True') return true;
  if (v === false || v === 'false' || v === 'False') return false;
  throw new TrackingError(
    'INVALID_PARAMETER',
    `Invalid value ${JSON.stringify(v)} for parameter '${name}' supplied. Hint: Value must be a boolean.`,
  );
}

/** MLflow sends the version as a string; a JSON number is accepted too. */
function version(args: WireArgs): number {
  const v = args.version;
  if (v === undefined || v === null || v === '') throw missing('version');
  if (typeof v !== 'string' && typeof v !== 'number')
    throw new TrackingError(
      'INVALID_PARAMETER',
      `Invalid value ${JSON.stringify(v)} for parameter 'version' supplied. Hint: Value must be a single version number.`,
    );
  return parseModelVersion(v);
}

/** Turns entities into MLflow's JSON for one caller (names qualified outside the caller's project). */
class Wire {
  constructor(
    private readonly callerProjectId: string | null,
    private readonly slugs: Map<string, string>,
  ) {}

  name(model: RegisteredModelEntity): string {
    return model.projectId === this.callerProjectId ? model.name : `${this.slugs.get(model.projectId)}/${model.name}`;
  }

  version(v: VersionView, withAliases: boolean) {
    const tags = v.tags.map((t) => ({ key: t.key, value: t.value }));
    return {
      name: this.name(v.model),
      version: String(v.version.version),
      creation_timestamp: v.version.creationTime,
      last_updated_timestamp: v.version.lastUpdatedTime,
      current_stage: toMlflowStage(v.version.currentStage),
      description: v.version.description,
      source: v.version.source,
      ...(v.runUuid ? { run_id: v.runUuid } : {}),
      status: v.version.status,
      ...(tags.length ? { tags } : {}),
      run_link: v.version.runLink,
      ...(withAliases && v.aliases.length ? { aliases: v.aliases } : {}),
    };
  }

  model(view: ModelView) {
    const tags = view.tags.map((t) => ({ key: t.key, value: t.value }));
    return {
      name: this.name(view.model),
      creation_timestamp: view.model.creationTime,
      last_updated_timestamp: view.model.lastUpdatedTime,
      ...(view.model.description !== null ? { description: view.model.description } : {}),
      ...(view.latestVersions.length ? { latest_versions: view.latestVersions.map((v) => this.version(v, false)) } : {}),
      ...(tags.length ? { tags } : {}),
      ...(view.aliases.length ? { aliases: view.aliases.map((a) => ({ alias: a.alias, version: String(a.version) })) } : {}),
    };
  }
}

@Injectable()
export class MlflowRegistryApi {
  constructor(
    private readonly models: RegisteredModelsService,
    private readonly versions: ModelVersionsService,
  ) {}

  private async wire(principal: Principal, loaders: Loaders, projectIds: readonly string[]): Promise<Wire> {
    const callerProjectId = await callerProject(principal, loaders).catch(() => null);
    const others = [...new Set(projectIds.filter((id) => id !== callerProjectId))];
    const projects = await Promise.all(others.map((id) => loaders.project.load(id)));
    return new Wire(callerProjectId, new Map(projects.flatMap((p) => (p ? [[p.id, p.slug] as [string, string]] : []))));
  }

  private async modelJson(principal: Principal, loaders: Loaders, view: ModelView) {
    return { registered_model: (await this.wire(principal, loaders, [view.model.projectId])).model(view) };
  }

  private async versionJson(principal: Principal, loaders: Loaders, view: VersionView) {
    return { model_version: (await this.wire(principal, loaders, [view.model.projectId])).version(view, true) };
  }

  // Registered models

  async createModel(p: Principal, loaders: Loaders, ref: ModelRef, args: WireArgs) {
    const view = await this.models.createModel(p, ref.projectId, ref.name, {
      description: optionalString(args, 'description'),
      tags: keyValues(args, 'tags'),
    });
    return this.modelJson(p, loaders, view);
  }

  async getModel(p: Principal, loaders: Loaders, ref: ModelRef, _args: WireArgs) {
    return this.modelJson(p, loaders, await this.models.getModel(ref));
  }

  async renameModel(p: Principal, loaders: Loaders, ref: ModelRef, args: WireArgs) {
    const newName = requiredString(args, 'new_name');
    // A qualified new name must stay in the model's project: renames never move models between projects.
    const target = await resolveName(newName, p, loaders);
    if (target.projectId !== ref.projectId)
      throw new TrackingError(
        'INVALID_PARAMETER',
        `Renaming cannot move a registered model to another project; give the new name without a project prefix.`,
      );
    return this.modelJson(p, loaders, await this.models.renameModel(p, ref, target.name));
  }

  async updateModel(p: Principal, loaders: Loaders, ref: ModelRef, args: WireArgs) {
    return this.modelJson(p, loaders, await this.models.updateModel(p, ref, optionalString(args, 'description') ?? ''));
  }

  async deleteModel(p: Principal, loaders: Loaders, ref: ModelRef, _args: WireArgs) {
    await this.models.deleteModel(p, ref);
    return {};
  }

  async setModelTag(p: Principal, loaders: Loaders, ref: ModelRef, args: WireArgs) {
    await this.models.setModelTag(p, ref, { key: requiredString(args, 'key'), value: optionalString(args, 'value') ?? '' });
    return {};
  }

  async deleteModelTag(p: Principal, loaders: Loaders, ref: ModelRef, args: WireArgs) {
    await this.models.deleteModelTag(p, ref, requiredString(args, 'key'));
    return {};
  }

  async searchModels(p: Principal, loaders: Loaders, args: WireArgs) {
    const scope = await searchScope(args, p, loaders);
    const page = await this.models.searchModels(scope.projectId, {
      filter: scope.filter,
      orderBy: stringList(args, 'order_by'),
      maxResults: optionalInt64(args, 'max_results'),
      pageToken: optionalString(args, 'page_token'),
    });
    const wire = await this.wire(p, loaders, [scope.projectId]);
    return {
      ...(page.items.length ? { registered_models: page.items.map((m) => wire.model(m)) } : {}),
      ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
    };
  }

  async latestVersions(p: Principal, loaders: Loaders, ref: ModelRef, args: WireArgs) {
    const stages = stringList(args, 'stages').map(fromMlflowStage);
    const versions = await this.models.latestVersions(ref, stages);
    const wire = await this.wire(p, loaders, [ref.projectId]);
    return versions.length ? { model_versions: versions.map((v) => wire.version(v, false)) } : {};
  }

  // Aliases

  async setAlias(p: Principal, loaders: Loaders, ref: ModelRef, args: WireArgs) {
    await this.versions.setAlias(p, ref, requiredString(args, 'alias'), version(args));
    return {};
  }

  async deleteAlias(p: Principal, loaders: Loaders, ref: ModelRef, args: WireArgs) {
    await this.versions.deleteAlias(p, ref, requiredString(args, 'alias'));
    return {};
  }

  async versionByAlias(p: Principal, loaders: Loaders, ref: ModelRef, args: WireArgs) {
    return this.versionJson(p, loaders, await this.versions.versionByAlias(ref, requiredString(args, 'alias')));
  }

  // Model versions

  async createVersion(p: Principal, loaders: Loaders, ref: ModelRef, args: WireArgs) {
    const view = await this.versions.createVersion(p, ref, {
      source: requiredString(args, 'source'),
      runUuid: optionalString(args, 'run_id'),
      tags: keyValues(args, 'tags'),
      description: optionalString(args, 'description'),
      runLink: optionalString(args, 'run_link'),
    });
    return this.versionJson(p, loaders, view);
  }

  async getVersion(p: Principal, loaders: Loaders, ref: ModelRef, args: WireArgs) {
    return this.versionJson(p, loaders, await this.versions.getVersion(ref, version(args)));
  }

  async updateVersion(p: Principal, loaders: Loaders, ref: ModelRef, args: WireArgs) {
    return this.versionJson(p, loaders, await this.versions.updateVersion(p, ref, version(args), optionalString(args, 'description')));
  }

  async transitionStage(p: Principal, loaders: Loaders, ref: ModelRef, args: WireArgs) {
    const v = version(args);
    const target = fromMlflowStage(requiredString(args, 'stage'));
    return this.versionJson(
      p,
      loaders,
      await this.versions.transitionStage(p, ref, v, target, flag(args, 'archive_existing_versions'), 'mlflow'),
    );
  }

  async deleteVersion(p: Principal, loaders: Loaders, ref: ModelRef, args: WireArgs) {
    await this.versions.deleteVersion(p, ref, version(args));
    return {};
  }

  async setVersionTag(p: Principal, loaders: Loaders, ref: ModelRef, args: WireArgs) {
    await this.versions.setVersionTag(p, ref, version(args), {
      key: requiredString(args, 'key'),
      value: optionalString(args, 'value') ?? '',
    });
    return {};
  }

  async deleteVersionTag(p: Principal, loaders: Loaders, ref: ModelRef, args: WireArgs) {
    await this.versions.deleteVersionTag(p, ref, version(args), requiredString(args, 'key'));
    return {};
  }

  async downloadUri(p: Principal, loaders: Loaders, ref: ModelRef, args: WireArgs) {
    return { artifact_uri: await this.versions.downloadUri(ref, version(args)) };
  }

  async searchVersions(p: Principal, loaders: Loaders, args: WireArgs) {
    const scope = await searchScope(args, p, loaders);
    const page = await this.versions.searchVersions(scope.projectId, {
      filter: scope.filter,
      orderBy: stringList(args, 'order_by'),
      maxResults: optionalInt64(args, 'max_results'),
      pageToken: optionalString(args, 'page_token'),
    });
    const wire = await this.wire(p, loaders, [scope.projectId]);
    return {
      ...(page.items.length ? { model_versions: page.items.map((v) => wire.version(v, false)) } : {}),
      ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
    };
  }
}
