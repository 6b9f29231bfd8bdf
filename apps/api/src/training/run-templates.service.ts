/**
 * Run templates (issue 15, item 1): create a template with its first version, add versions, read
 * them, and preview a launch (every value checked, the command rendered). Writing needs run.write
 * in the template's project (researchers and PIs); reading needs project.read. A template's
 * dataset version and initial model version are resolved once, in the writing transaction, under
 * a share lock, and must belong to the same project; the dataset version must be sealed, so a run
 * trains on data that cannot change under it.
 */
import { actorOf, assertGranted, Principal } from '@caliper/server-kit';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  assertTemplateDefinition,
  DomainError,
  notFound,
  ParameterValue,
  parameterText,
  parseParameterValue,
  renderCommand,
  resolveLaunchValues,
  RunTemplateDefinition,
  TemplateParameter,
  templateNameProblem,
} from '@caliper/domain';
import {
  AuditRepository,
  MAX_TEMPLATES_PER_PROJECT,
  RunTemplateRow,
  RunTemplatesRepository,
  RunTemplateVersionRow,
} from '@caliper/persistence';
import type { RunTemplateDefinitionInput, TemplateParameterInput } from './run-template.types';

const invalid = (message: string) => new DomainError('BAD_USER_INPUT', message);

/** A definition as GraphQL gives it: parameter defaults as text, read here by each parameter's type. */
export function definitionFromInput(input: RunTemplateDefinitionInput): RunTemplateDefinition {
  const problems: string[] = [];
  const parameters: TemplateParameter[] = input.parameters.map((p: TemplateParameterInput, i) => {
    const base: TemplateParameter = {
      name: p.name,
      type: p.type as TemplateParameter['type'],
      default: p.default,
      min: p.min ?? null,
      max: p.max ?? null,
      choices: p.choices ?? null,
      description: p.description ?? null,
    };
    const parsed = parseParameterValue(base, p.default);
    if ('problem' in parsed) problems.push(`parameter ${i + 1} (${p.name}): the default ${parsed.problem}`);
    else base.default = parsed.value;
    return base;
  });
  if (problems.length) throw invalid(`The run template is not valid: ${problems.join(' ')}`);
  return {
    description: input.description,
    architecture: input.architecture.trim(),
    initialModelVersionId: input.initialModelVersionId ?? null,
    datasetVersionId: input.datasetVersionId ?? null,
    parameters,
    resources: {
      gpus: input.resources.gpus,
      cpus: input.resources.cpus,
      memoryGb: input.resources.memoryGb,
      wallTimeMinutes: input.resources.wallTimeMinutes,
      partition: input.resources.partition?.trim() || null,
    },
    executor: input.executor as RunTemplateDefinition['executor'],
    image: input.image?.trim() || null,
    command: [...input.command],
  };
}

export interface LaunchPreview {
  version: RunTemplateVersionRow;
  values: { name: string; value: string; isDefault: boolean }[];
  command: string[];
}

@Injectable()
export class RunTemplatesService {
  constructor(
    private readonly ds: DataSource,
    private readonly templates: RunTemplatesRepository,
    private readonly audit: AuditRepository,
  ) {}

  async list(principal: Principal, projectId: string): Promise<RunTemplateRow[]> {
    assertGranted(principal, 'project.read', projectId);
    const rows = await this.templates.ofProject(projectId, MAX_TEMPLATES_PER_PROJECT + 1);
    if (rows.length > MAX_TEMPLATES_PER_PROJECT)
      throw new DomainError(
        'INVALID_STATE',
        `The project has more than ${MAX_TEMPLATES_PER_PROJECT} run templates; this list stops there.`,
      );
    return rows;
  }

  async get(principal: Principal, id: string): Promise<RunTemplateRow> {
    const t = await this.templates.template(id);
    if (!t) throw notFound(`Run template ${id}`);
    assertGranted(principal, 'project.read', t.projectId);
    return t;
  }

  async version(principal: Principal, id: string): Promise<RunTemplateVersionRow> {
    const v = await this.templates.version(id);
    if (!v) throw notFound(`Run template version ${id}`);
    assertGranted(principal, 'project.read', v.projectId);
    return v;
  }

  async create(
    principal: Principal,
    input: { projectId: string; name: string; definition: RunTemplateDefinition },
  ): Promise<{ template: RunTemplateRow; version: RunTemplateVersionRow }> {
    assertGranted(principal, 'run.write', input.projectId);
    const name = input.name.trim();
    const problem = templateNameProblem(name);
    if (problem) throw invalid(`The run template is not valid: ${problem}`);
    assertTemplateDefinition(input.definition);
    try {
      return await this.ds.transaction(async (m) => {
        await this.checkReferences(m, input.projectId, input.definition);
        const template = await this.templates.create(m, { projectId: input.projectId, name, createdBy: principal.user.id });
        const version = await this.templates.addVersion(m, template.id, input.definition, principal.user.id);
        await this.audit.append(m, {
          ...actorOf(principal),
          action: 'run_template.created',
          entityType: 'run_template',
          entityId: template.id,
          projectId: input.projectId,
          after: { name, version: version.version, ...auditedDefinition(input.definition) },
        });
        return { template, version };
      });
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw new DomainError('ALREADY_EXISTS', `The project already has a run template named '${name}': add a version to it instead.`);
      throw err;
    }
  }

  async addVersion(principal: Principal, templateId: string, definition: RunTemplateDefinition): Promise<RunTemplateVersionRow> {
    assertTemplateDefinition(definition);
    return this.ds.transaction(async (m) => {
      const template = await this.templates.lock(m, templateId);
      if (!template) throw notFound(`Run template ${templateId}`);
      assertGranted(principal, 'run.write', template.projectId);
      await this.checkReferences(m, template.projectId, definition);
      const version = await this.templates.addVersion(m, template.id, definition, principal.user.id);
      await this.audit.append(m, {
        ...actorOf(principal),
        action: 'run_template.version_added',
        entityType: 'run_template',
        entityId: template.id,
        projectId: template.projectId,
        after: { name: template.name, version: version.version, ...auditedDefinition(definition) },
      });
      return version;
    });
  }

  /** What launching `versionId` with `values` would run; every value checked against its parameter. */
  async preview(principal: Principal, versionId: string, values: readonly { name: string; value: string }[]): Promise<LaunchPreview> {
    const version = await this.version(principal, versionId);
    const resolved = resolveLaunchValues(version.parameters, values);
    const given = new Set(values.map((v) => v.name));
    return {
      version,
      values: version.parameters.map((p) => ({
        name: p.name,
        value: parameterText(resolved[p.name] as ParameterValue),
        isDefault: !given.has(p.name),
      })),
      // '{run_id}' kept as written: the run does not exist yet.
      command: renderCommand(version.command, resolved, { runId: '{run_id}' }),
    };
  }

  /** The dataset version and the initial model version, each in this project; the dataset version sealed. */
  private async checkReferences(m: EntityManager, projectId: string, def: RunTemplateDefinition): Promise<void> {
    if (def.datasetVersionId) {
      const dv = await this.templates.datasetVersionRef(m, def.datasetVersionId);
      if (!dv || dv.projectId !== projectId) throw notFound(`Dataset version ${def.datasetVersionId} in this project`);
      if (dv.state !== 'sealed')
        throw new DomainError(
          'INVALID_STATE',
          `Dataset version ${dv.label} is a draft: seal it first, so that runs launched from this template train on data that cannot change.`,
        );
    }
    if (def.initialModelVersionId) {
      const mv = await this.templates.modelVersionRef(m, def.initialModelVersionId);
      if (!mv || mv.projectId !== projectId) throw notFound(`Model version ${def.initialModelVersionId} in this project`);
      if (mv.files === 0)
        throw new DomainError('INVALID_STATE', `Model version ${mv.label} has no files, so it cannot give a run its initial weights.`);
    }
  }
}

/** The definition as the audit event keeps it (everything: a template holds no secret). */
function auditedDefinition(def: RunTemplateDefinition): Record<string, unknown> {
  return { ...def, parameters: def.parameters.map((p) => ({ ...p })), resources: { ...def.resources }, command: [...def.command] };
}
