/**
 * The launch form's logic, apart from React: which control each parameter type gets, the values
 * it starts with (the template's defaults, or a run's values when the user asked to run it again
 * with changes: `?version=<id>&p.<name>=<value>` on the template page), what it sends, and which
 * fields the API's message names as invalid.
 */
import type { TemplateParameterType } from '../gql/graphql';

export interface LaunchParameter {
  name: string;
  type: TemplateParameterType;
  default: string;
  min?: number | null;
  max?: number | null;
  choices?: readonly string[] | null;
}

/** The form's values by parameter name, as text ('true'/'false' for a checkbox). */
export type LaunchValues = Record<string, string>;

export type ParameterControl =
  | { kind: 'number'; step: '1' | 'any'; min?: number; max?: number }
  | { kind: 'checkbox' }
  | { kind: 'select'; choices: readonly string[] }
  | { kind: 'text' };

export function controlFor(p: LaunchParameter): ParameterControl {
  switch (p.type) {
    case 'INT':
    case 'FLOAT':
      return { kind: 'number', step: p.type === 'INT' ? '1' : 'any', min: p.min ?? undefined, max: p.max ?? undefined };
    case 'BOOL':
      return { kind: 'checkbox' };
    case 'CHOICE':
      return { kind: 'select', choices: p.choices ?? [] };
    default:
      return { kind: 'text' };
  }
}

const PARAM_PREFIX = 'p.';

/** A boolean as the checkbox holds it; what the API takes as true or false besides ('1', 'yes') counts too. */
function asBool(value: string): string {
  return ['true', '1', 'yes', 'on'].includes(value.trim().toLowerCase()) ? 'true' : 'false';
}

/**
 * The values the form starts with: each parameter's default, replaced by the value `prefill` gives
 * for it. A prefilled choice the template no longer offers falls back to the default, so the
 * select shows what is sent; other values are kept as given and checked by the API like any typed one.
 */
export function initialValues(parameters: readonly LaunchParameter[], prefill: ReadonlyMap<string, string> = new Map()): LaunchValues {
  const values: LaunchValues = {};
  for (const p of parameters) {
    const given = prefill.get(p.name);
    let value = given ?? p.default;
    if (p.type === 'BOOL') value = asBool(value);
    if (p.type === 'CHOICE' && given !== undefined && !(p.choices ?? []).includes(given)) value = p.default;
    values[p.name] = value;
  }
  return values;
}

/** What the form sends: every parameter's value, in the template's order. */
export function valuesToSend(parameters: readonly LaunchParameter[], values: LaunchValues): { name: string; value: string }[] {
  return parameters.map((p) => ({ name: p.name, value: values[p.name] ?? p.default }));
}

/**
 * The parameters the API's message names as invalid. It reads "The launch values are not valid:
 * epochs: 0 is below the minimum 1. amp: 'maybe' is not true or false.": each problem starts
 * with the parameter's name and a colon, after the message's own colon or a previous problem's full stop.
 */
export function invalidParameters(message: string, names: readonly string[]): Set<string> {
  const invalid = new Set<string>();
  for (const name of names) {
    if (message.includes(`: ${name}: `) || message.includes(`. ${name}: `)) invalid.add(name);
  }
  return invalid;
}

/** The problem the message names for one parameter ("0 is below the minimum 1"), or null. */
export function problemOf(message: string, name: string): string | null {
  for (const marker of [`: ${name}: `, `. ${name}: `]) {
    const at = message.indexOf(marker);
    if (at < 0) continue;
    const rest = message.slice(at + marker.length);
    // The problem ends at the full stop before the next "<name>: " or at the message's end.
    const end = rest.search(/\.(\s+[\w.-]+: |\s*$)/);
    return end < 0 ? rest : rest.slice(0, end);
  }
  return null;
}

/** The template page's query for launching again from a run: its template version and its values (the run's params). */
export function relaunchSearch(templateVersionId: string, params: readonly { key: string; value: string }[]): string {
  const search = new URLSearchParams({ version: templateVersionId });
  for (const { key, value } of params) search.append(`${PARAM_PREFIX}${key}`, value);
  return `?${search.toString()}`;
}

/** The version and prefilled values a template page's query names (relaunchSearch). */
export function prefillFromSearch(search: URLSearchParams): { versionId: string | null; values: Map<string, string> } {
  const values = new Map<string, string>();
  for (const [key, value] of search) {
    if (key.startsWith(PARAM_PREFIX) && key.length > PARAM_PREFIX.length) values.set(key.slice(PARAM_PREFIX.length), value);
  }
  return { versionId: search.get('version'), values };
}
