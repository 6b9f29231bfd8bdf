/**
 * The compare page's sweep groups (issue 15): compared runs of one sweep (child runs of one parent,
 * Run.sweep) are listed together under "sweep <name> (N runs)", drawn in shades of one colour per
 * sweep, switched on and off together, and the parameters the sweep varies are named beside each
 * run. Runs of no sweep keep their own colours from the slots no sweep took.
 */
import { hashString, PALETTE, paletteColor, runColor } from './series';

export interface SweepInfo {
  id: string;
  name: string;
  parentRunId: string;
  sweptParameters: readonly string[];
  /** The sweep's child runs, all of them (the compare page may hold fewer). */
  runIds: readonly string[];
}

export interface RunWithSweep {
  runId: string;
  sweep?: SweepInfo | null;
}

/** One block of the legend: a sweep's compared runs (its parent first when compared), or one run of no sweep. */
export interface LegendSection {
  sweep: SweepInfo | null;
  runIds: string[];
  /** The sweep's colour (its runs are shades of it); null for a run of no sweep. */
  color: string | null;
}

/**
 * The legend's sections in the order their first run is compared: each sweep once, with all its
 * compared runs (the parent before its children, the children in launch order); each run of no
 * sweep on its own.
 */
export function sweepSections(runs: readonly RunWithSweep[]): LegendSection[] {
  const out: LegendSection[] = [];
  const bySweep = new Map<string, LegendSection>();
  let slot = 0;
  for (const r of runs) {
    if (!r.sweep) {
      out.push({ sweep: null, runIds: [r.runId], color: null });
      continue;
    }
    let section = bySweep.get(r.sweep.id);
    if (!section) {
      section = { sweep: r.sweep, runIds: [], color: paletteColor(slot++) };
      bySweep.set(r.sweep.id, section);
      out.push(section);
    }
    section.runIds.push(r.runId);
  }
  for (const s of bySweep.values()) {
    const order = (id: string) => (id === s.sweep!.parentRunId ? -1 : s.sweep!.runIds.indexOf(id));
    s.runIds.sort((a, b) => order(a) - order(b));
  }
  return out;
}

/**
 * Each compared run's colour: a sweep's runs are shades of its colour, from darker to lighter in
 * launch order (so neighbouring grid points look alike, as their curves usually do); a run of no
 * sweep takes the palette slot its id hashes to among the slots no sweep holds, as runColors does.
 */
export function sweepRunColors(sections: readonly LegendSection[]): Map<string, string> {
  const out = new Map<string, string>();
  const taken = new Set<number>();
  sections.forEach((s) => {
    if (s.color) taken.add(PALETTE.indexOf(s.color));
  });
  for (const s of sections) {
    if (s.sweep && s.color) {
      s.runIds.forEach((id, i) => out.set(id, shade(s.color!, s.runIds.length === 1 ? 0 : -0.45 + (0.9 * i) / (s.runIds.length - 1))));
      continue;
    }
    for (const id of s.runIds) {
      if (out.has(id)) continue;
      if (taken.size >= PALETTE.length) {
        out.set(id, runColor(id));
        continue;
      }
      let slot = hashString(id) % PALETTE.length;
      while (taken.has(slot)) slot = (slot + 1) % PALETTE.length;
      taken.add(slot);
      out.set(id, paletteColor(slot));
    }
  }
  return out;
}

/** `#rrggbb` mixed towards black (t < 0) or white (t > 0) by |t|. */
export function shade(hex: string, t: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  const target = t < 0 ? 0 : 255;
  const mix = (c: number) => Math.round(c + (target - c) * Math.abs(t));
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map(mix) as [number, number, number];
  return `#${((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1)}`;
}

/** Whether a group's runs are all shown, none, or some (the header checkbox's checked and indeterminate). */
export function groupVisibility(runIds: readonly string[], hidden: readonly string[]): 'all' | 'none' | 'some' {
  const off = runIds.filter((id) => hidden.includes(id)).length;
  return off === 0 ? 'all' : off === runIds.length ? 'none' : 'some';
}

/** The hidden runs after switching a whole group on or off. */
export function toggleGroup(runIds: readonly string[], hidden: readonly string[], show: boolean): string[] {
  return show ? hidden.filter((id) => !runIds.includes(id)) : [...hidden, ...runIds.filter((id) => !hidden.includes(id))];
}

/** The parameters any compared sweep varies: the diff table marks them and lists them first. */
export function sweptParameterKeys(runs: readonly RunWithSweep[]): Set<string> {
  return new Set(runs.flatMap((r) => r.sweep?.sweptParameters ?? []));
}

/** "lr = 0.01, sleep = 1": a child run's values of its sweep's parameters (those it has). */
export function sweptValues(sweep: SweepInfo, params: readonly { key: string; value: string }[]): string {
  return sweep.sweptParameters
    .flatMap((k) => {
      const p = params.find((x) => x.key === k);
      return p ? [`${k} = ${p.value}`] : [];
    })
    .join(', ');
}
