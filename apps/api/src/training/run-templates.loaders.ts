/** Per request: the project of a template and of a template version (the access guard locates both), and each template's versions. */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { RunExecutionRow, RunExecutionsRepository, RunTemplatesRepository, RunTemplateVersionRow } from '@caliper/persistence';
import { LoaderFactory, RequestLoaders } from '../graphql/loaders';

declare module '../graphql/loaders' {
  interface Loaders {
    runTemplateProject: DataLoader<string, string | null>;
    runTemplateVersionProject: DataLoader<string, string | null>;
    runTemplateLatest: DataLoader<string, RunTemplateVersionRow | null>;
    runTemplateVersions: DataLoader<string, RunTemplateVersionRow[]>;
    /** By the run's internal id. */
    runExecution: DataLoader<string, RunExecutionRow | null>;
  }
}

@Injectable()
@RequestLoaders()
export class RunTemplatesLoaders implements LoaderFactory {
  constructor(
    private readonly templates: RunTemplatesRepository,
    private readonly executions: RunExecutionsRepository,
  ) {}

  create() {
    return {
      runTemplateProject: new DataLoader<string, string | null>((ids) => this.templates.projectsOfTemplates(ids)),
      runTemplateVersionProject: new DataLoader<string, string | null>((ids) => this.templates.projectsOfVersions(ids)),
      runTemplateLatest: new DataLoader<string, RunTemplateVersionRow | null>(async (ids) => {
        const rows = await this.templates.latestOf(ids);
        return ids.map((id) => rows.find((r) => r.templateId === id) ?? null);
      }),
      runTemplateVersions: new DataLoader<string, RunTemplateVersionRow[]>(async (ids) => {
        const rows = await this.templates.versionsOf(ids);
        return ids.map((id) => rows.filter((r) => r.templateId === id));
      }),
      runExecution: new DataLoader<string, RunExecutionRow | null>(async (ids) => {
        const rows = await this.executions.ofRuns(ids);
        return ids.map((id) => rows.find((r) => r.runId === id) ?? null);
      }),
    };
  }
}
