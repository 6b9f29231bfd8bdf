/**
 * Which project an MLflow call acts on. MLflow has no projects: a token fixes the project; a
 * Basic-auth user logs into `project-slug/experiment-name` or, for a bare name and for
 * experiment "0", their default project. Existing experiments and runs carry their project.
 */
import { TrackingError } from '@caliper/domain';
import { AppError } from '../common/app-error';
import type { ProjectLocator } from '../auth/access.decorators';
import { argAt } from '../auth/access.decorators';
import type { Principal } from '../auth/principal';
import type { Loaders } from '../graphql/loaders';

/** The project a caller's bare experiment names and experiment "0" refer to. */
export async function callerProject(principal: Principal, loaders: Loaders): Promise<string> {
  if (principal.method === 'token') return principal.token.projectId;
  const user = await loaders.user.load(principal.user.id);
  if (user?.defaultProjectId) return user.defaultProjectId;
  throw new AppError('BAD_USER_INPUT', `No project chosen: name the experiment "<project-slug>/<name>", use an API token (MLFLOW_TRACKING_TOKEN) of the project, or set a default project in Caliper.`);
}

/** Splits `project-slug/name`; a name without a known project slug prefix stays whole. */
export async function splitExperimentName(name: string, loaders: Loaders): Promise<{ projectId: string | null; name: string }> {
  const slash = name.indexOf('/');
  if (slash > 0) {
    const project = await loaders.projectBySlug.load(name.slice(0, slash).toLowerCase());
    if (project) return { projectId: project.id, name: name.slice(slash + 1) };
  }
  return { projectId: null, name };
}

const first = (args: Record<string, unknown>, paths: string[]): unknown => {
  for (const p of paths) {
    const v = argAt(args, p);
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
};

const missing = (name: string) => new TrackingError('INVALID_PARAMETER', `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`);

/**
 * Project of the experiment id found at one of the argument paths ("0", or none when
 * `defaultWhenAbsent`: the caller's project). An unknown id answers MLflow's 404 rather than a
 * 403, as MLflow does; the guard still refuses experiments of projects the caller cannot reach.
 */
export function projectOfExperimentId(opts: { defaultWhenAbsent?: boolean }, ...paths: string[]): ProjectLocator {
  return async (args, loaders, principal) => {
    const raw = first(args, paths);
    const id = Array.isArray(raw) ? raw[0] : raw;
    if (id === undefined) {
      if (opts.defaultWhenAbsent) return callerProject(principal, loaders);
      throw missing(paths[0].split('.').pop()!);
    }
    if (String(id) === '0') return callerProject(principal, loaders);
    const experiment = await loaders.experiment.load(String(id));
    if (!experiment) throw new TrackingError('NOT_FOUND', `No Experiment with id=${String(id)} exists`);
    return experiment.projectId;
  };
}

/**
 * The project runs/search is guarded by: that of the first listed experiment that exists (the
 * handler checks every other one), else the caller's. MLflow answers a search of unknown
 * experiments with no runs, not an error.
 */
export function projectOfSearchedExperiments(...paths: string[]): ProjectLocator {
  return async (args, loaders, principal) => {
    const raw = first(args, paths);
    const ids = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
    for (const id of ids) {
      if (id === '0') return callerProject(principal, loaders);
      const experiment = await loaders.experiment.load(id);
      if (experiment) return experiment.projectId;
    }
    return callerProject(principal, loaders);
  };
}

/** Project of the run id found at one of the argument paths (MLflow sends run_id and/or run_uuid). */
export function projectOfRunId(...paths: string[]): ProjectLocator {
  return async (args, loaders) => {
    const raw = first(args, paths);
    const id = Array.isArray(raw) ? raw[0] : raw;
    if (id === undefined) throw missing('run_id');
    const run = await loaders.run.load(String(id));
    if (!run) throw new TrackingError('NOT_FOUND', `Run with id=${String(id)} not found`);
    return run.projectId;
  };
}

/** Project an experiment name refers to (`slug/name`, else the caller's project). */
export function projectOfExperimentName(...paths: string[]): ProjectLocator {
  return async (args, loaders, principal) => {
    const name = first(args, paths);
    if (typeof name !== 'string') throw missing(paths[0].split('.').pop()!);
    const split = await splitExperimentName(name, loaders);
    return split.projectId ?? callerProject(principal, loaders);
  };
}
