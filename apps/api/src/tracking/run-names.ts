/** Friendly generated run names, as MLflow gives them ("adjective-noun-NNN"). */
const ADJECTIVES = [
  'amber',
  'brisk',
  'calm',
  'deft',
  'eager',
  'fleet',
  'keen',
  'lucid',
  'merry',
  'noble',
  'quiet',
  'rapid',
  'sharp',
  'steady',
  'vivid',
  'witty',
];
const NOUNS = [
  'atlas',
  'beacon',
  'cortex',
  'delta',
  'ember',
  'falcon',
  'harbor',
  'lens',
  'meridian',
  'nova',
  'orbit',
  'prism',
  'quill',
  'river',
  'sextant',
  'vector',
];
export function generatedRunName(): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${Math.floor(Math.random() * 1000)}`;
}
