/**
 * The model card form's values (what the inputs hold: text, numbers as typed) and their reading
 * into the card the server takes, with an error per field for what cannot be a card: a number
 * that is not one, a metric or subgroup row without its name. Empty rows are dropped.
 */
import type { ModelCardContentFieldsFragment } from '../gql/graphql';

export interface MetricRow {
  name: string;
  value: string;
  threshold: string;
}
export interface SubgroupRow {
  group: string;
  metric: string;
  value: string;
}
export interface CardValues {
  intendedUse: string;
  outOfScopeUse: string;
  /** One dataset version a line. */
  trainingData: string;
  validationData: string;
  metrics: MetricRow[];
  subgroups: SubgroupRow[];
  limitations: string;
  changes: string;
}

export type CardInput = Omit<ModelCardContentFieldsFragment, '__typename'>;
/** Errors by field: `intendedUse`, `metrics.0.value`, `subgroups.1.group`, … (the server's paths). */
export type CardErrors = Record<string, string>;

const numberText = (v: number | null) => (v === null ? '' : String(v));

export function cardValues(card: CardInput): CardValues {
  return {
    intendedUse: card.intendedUse,
    outOfScopeUse: card.outOfScopeUse,
    trainingData: card.trainingData.join('\n'),
    validationData: card.validationData.join('\n'),
    metrics: card.metrics.map((m) => ({ name: m.name, value: numberText(m.value), threshold: numberText(m.threshold) })),
    subgroups: card.subgroups.map((s) => ({ group: s.group, metric: s.metric, value: String(s.value) })),
    limitations: card.limitations,
    changes: card.changes,
  };
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** A number as typed ('0.87', '1e-3', ' 4 '); empty is null; anything else undefined. */
function readNumber(text: string): number | null | undefined {
  const t = text.trim();
  if (!t) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

export function readCardForm(values: CardValues): { ok: true; card: CardInput } | { ok: false; errors: CardErrors } {
  const errors: CardErrors = {};
  const filled = <T extends object>(row: T) => Object.values(row).some((v) => String(v).trim());
  // Errors name the row as shown (empty rows included); the card leaves empty rows out.
  const metrics = values.metrics.flatMap((m, i) => {
    if (!filled(m)) return [];
    const value = readNumber(m.value);
    const threshold = readNumber(m.threshold);
    if (!m.name.trim()) errors[`metrics.${i}.name`] = 'Name the metric.';
    if (value === undefined) errors[`metrics.${i}.value`] = 'Must be a number.';
    if (threshold === undefined) errors[`metrics.${i}.threshold`] = 'Must be a number.';
    return [{ name: m.name.trim(), value: value ?? null, threshold: threshold ?? null }];
  });
  const subgroups = values.subgroups.flatMap((s, i) => {
    if (!filled(s)) return [];
    const value = readNumber(s.value);
    if (!s.group.trim()) errors[`subgroups.${i}.group`] = 'Name the subgroup.';
    if (!s.metric.trim()) errors[`subgroups.${i}.metric`] = 'Name the metric.';
    if (value === null || value === undefined) errors[`subgroups.${i}.value`] = 'Must be a number.';
    return [{ group: s.group.trim(), metric: s.metric.trim(), value: value ?? 0 }];
  });
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    card: {
      intendedUse: values.intendedUse,
      outOfScopeUse: values.outOfScopeUse,
      trainingData: lines(values.trainingData),
      validationData: lines(values.validationData),
      metrics,
      subgroups,
      limitations: values.limitations,
      changes: values.changes,
    },
  };
}

/**
 * The field a server refusal names: "Invalid model card: metrics.0.value: Expected number; …"
 * puts each problem under its field; what names no field stays on the form.
 */
export function serverCardErrors(message: string): { fields: CardErrors; form: string | null } {
  const m = /^Invalid model card: (.*)\.$/s.exec(message);
  if (!m) return { fields: {}, form: message };
  const fields: CardErrors = {};
  for (const problem of m[1]!.split('; ')) {
    const at = problem.indexOf(': ');
    if (at > 0) fields[problem.slice(0, at)] = problem.slice(at + 2);
  }
  return Object.keys(fields).length ? { fields, form: null } : { fields: {}, form: message };
}
