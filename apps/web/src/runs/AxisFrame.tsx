/**
 * A chart's axis titles around its plot (issue 12: every chart says what its axes are, with
 * units): the y title turned along the left edge, the x title under the plot. Plain text outside
 * the drawing, so it reads the same on the canvas and SVG charts and a screen reader finds it.
 */
import type { ReactNode } from 'react';

export function AxisFrame({ x, y, children }: { x: string; y: string; children: ReactNode }) {
  return (
    <div className="axis-frame">
      <span className="axis-title axis-title-y">{y}</span>
      <div className="axis-plot">{children}</div>
      <span className="axis-title axis-title-x">{x}</span>
    </div>
  );
}

/** The x axis' title for each kind of x the charts draw. */
export const X_TITLES = {
  step: 'Step',
  wall: 'Wall time (UTC)',
  relative: 'Time since the run started (h min s)',
} as const;
