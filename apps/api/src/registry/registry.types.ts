/** What the registry services take and return. */
import type { KeyValue, ModelSpec } from '@caliper/domain';
import type { ModelVersionEntity, RegisteredModelEntity, ModelVersionTagEntity, RegisteredModelTagEntity } from '@caliper/persistence';

/** A registered model inside its project, by its bare name. */
export interface ModelRef {
  projectId: string;
  name: string;
}

export interface VersionView {
  version: ModelVersionEntity;
  model: RegisteredModelEntity;
  /** MLflow run_id of the source run, when linked. */
  runUuid: string | null;
  tags: ModelVersionTagEntity[];
  aliases: string[];
}

export interface ModelView {
  model: RegisteredModelEntity;
  tags: RegisteredModelTagEntity[];
  aliases: { alias: string; version: number }[];
  /** The highest version per stage (MLflow's latest_versions). */
  latestVersions: VersionView[];
}

export interface CreateVersionCommand {
  source: string;
  runUuid?: string | null;
  tags?: KeyValue[];
  description?: string | null;
  runLink?: string | null;
  /** Task type and pre/post-processing spec as given (checked with modelSpecSchema); null or absent: read from the caliper.* tags, if any. */
  spec?: ModelSpec | Record<string, unknown> | null;
  /** Create the registered model in the same transaction when the project has none of that name (GraphQL, CLI). */
  createModel?: boolean;
}

export interface Page<T> {
  items: T[];
  nextPageToken: string | null;
}
