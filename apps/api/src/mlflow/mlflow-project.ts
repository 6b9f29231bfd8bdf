/**
 * Which project an MLflow call acts on. MLflow has no projects: a token fixes the project; a
 * Basic-auth user logs into `project-slug/experiment-name` or, for a bare name and for
 * experiment "0", their default project. Existing experiments and runs carry their project.
 */
import type { Principal } from '@caliper/server-kit';
import { DomainError, TrackingError } from '@caliper/domain';
import type { ProjectLocator } from '../auth/locators';
import type { Loaders } from '../graphql/loaders';
import { optionalString, requiredString, runIdOf, stringList } from './mlflow-wire';

/** The project a caller's bare experiment names and experiment "0" refer to. */
export async function callerProject(principal: Principal, loaders: Loaders): Promise<string> {
  if (principal.method === 'token') return principal.token.projectId;
  const user = await loaders.user.load(principal.user.id);
  if (user?.defaultProjectId) return user.defaultProjectId;
  throw new DomainError(
    'BAD_USER_INPUT',
    `No project chosen: name the experiment "<project-slug>/<name>", use an API token (MLFLOW_TRACKING_TOKEN) of the project, or set a default project in Caliper.`,
  );
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

const runNotFound = (id: string) => new TrackingError('NOT_FOUND', `Run with id=${id} not found`);
const experimentNotFound = (id: string) => new TrackingError('NOT_FOUND', `No Experiment with id=${id} exists`);

/**
 * The experiment named by `experiment_id` ("0", or none when `defaultWhenAbsent`: the caller's
 * project's Default experiment), resolved once for the guard and the handler. An unknown id
 * answers MLflow's 404, and so does an experiment of a project the caller cannot read.
 */
export function projectOfExperimentId(opts: { defaultWhenAbsent?: boolean } = {}): ProjectLocator {
  return async (args, loaders, principal, resolved) => {
    const id = opts.defaultWhenAbsent ? (optionalString(args, 'experiment_id') ?? '0') : requiredString(args, 'experiment_id');
    const experiment =
      id === '0' ? await loaders.defaultExperiment.load(await callerProject(principal, loaders)) : await loaders.experiment.load(id);
    if (!experiment) throw experimentNotFound(id);
    resolved.experiment = experiment;
    resolved.notFound = () => experimentNotFound(id);
    return experiment.projectId;
  };
}

/**
 * The project runs/search is guarded by: that of the first listed experiment the caller can see
 * (the handler checks every other one), else the caller's. MLflow answers a search of unknown
 * experiments with no runs, not an error; an experiment of a project the caller has no part in
 * is answered the same way, so a search reveals nothing about other projects' ids.
 */
export function projectOfSearchedExperiments(): ProjectLocator {
  return async (args, loaders, principal) => {
    for (const id of stringList(args, 'experiment_ids')) {
      if (id === '0') return callerProject(principal, loaders);
      const experiment = await loaders.experiment.load(id);
      if (experiment && (await mightSee(principal, experiment.projectId, loaders))) return experiment.projectId;
    }
    return callerProject(principal, loaders);
  };
}

/** Whether the caller has any standing in a project (a role, a global role, a token of it); the guard decides the permission itself. */
async function mightSee(principal: Principal, projectId: string, loaders: Loaders): Promise<boolean> {
  if (principal.method === 'token') return principal.token.projectId === projectId;
  return principal.user.globalRole !== null || (await loaders.myRoles.load(projectId)).length > 0;
}

/** The run named by run_id (or the deprecated run_uuid; mlflowArgs refuses the two disagreeing), resolved once. */
export const projectOfRun: ProjectLocator = async (args, loaders, _principal, resolved) => {
  const id = runIdOf(args);
  const run = await loaders.runRef.load(id);
  if (!run) throw runNotFound(id);
  resolved.run = run;
  resolved.notFound = () => runNotFound(id);
  return run.projectId;
};

/** The run named by a native route's path parameter (e.g. `runId` of /api/v1/runs/:runId/...), resolved once. */
export function projectOfRunParam(param: string): ProjectLocator {
  return async (args, loaders, _principal, resolved) => {
    const id = args[param];
    if (typeof id !== 'string' || !id) throw new TrackingError('INVALID_PARAMETER', `Missing run id in the path.`);
    const run = await loaders.runRef.load(id);
    if (!run) throw runNotFound(id);
    resolved.run = run;
    resolved.notFound = () => runNotFound(id);
    return run.projectId;
  };
}

/** The project of the first run of `run_ids` (get-history-bulk-interval checks every other run's project itself). */
export const projectOfFirstRun: ProjectLocator = async (args, loaders) => {
  const [id] = stringList(args, 'run_ids');
  if (id === undefined)
    throw new TrackingError(
      'INVALID_PARAMETER',
      `Missing value for required parameter 'run_ids'. See the API docs for more information about request parameters.`,
    );
  const run = await loaders.runRef.load(id);
  if (!run) throw runNotFound(id);
  return run.projectId;
};

/** Project an experiment name refers to (`slug/name`, else the caller's project). */
export function projectOfExperimentName(field: string): ProjectLocator {
  return async (args, loaders, principal, resolved) => {
    const split = await splitExperimentName(requiredString(args, field), loaders);
    resolved.named = { projectId: split.projectId ?? (await callerProject(principal, loaders)), name: split.name };
    return resolved.named.projectId;
  };
}
