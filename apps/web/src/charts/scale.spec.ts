import { geometry, MARGIN, ticksOf, tooltipLeft, type PlotAxes, type PlotLine } from './scale';

const line = (x: number[], y: (number | null)[]): PlotLine => ({ id: 'a', label: 'a', color: '#000', x, y });
const STEPS: PlotAxes = { integerX: true, formatX: String };

describe('the canvas plot geometry', () => {
  it('spans the first to the last x, with the values padded inside the plot', () => {
    const g = geometry([line([0, 10, 20], [1, null, 3])], STEPS, 400, 200)!;
    expect([g.x0, g.x1]).toEqual([0, 20]);
    expect(g.sx(0)).toBe(MARGIN.left);
    expect(g.sx(20)).toBe(400 - MARGIN.right);
    expect(g.y0).toBeLessThan(1);
    expect(g.y1).toBeGreaterThan(3);
    expect(g.sy(1)).toBeLessThan(200 - MARGIN.bottom);
    expect(g.sy(3)).toBeGreaterThan(MARGIN.top);
  });

  it('widens a single point into a range it sits in the middle of', () => {
    const g = geometry([line([10], [0.5])], STEPS, 400, 200)!;
    expect([g.x0, g.x1]).toEqual([9, 11]);
    expect(ticksOf(g, STEPS).x).toEqual([9, 10, 11]);
    expect(g.y0).toBeLessThan(0.5);
    expect(g.y1).toBeGreaterThan(0.5);
  });

  it('keeps fixed ends and their ticks (a percentage from 0 to 100)', () => {
    const axes: PlotAxes = { yMin: 0, yMax: 100, yTicks: () => [0, 25, 50, 75, 100], formatX: String };
    const g = geometry([line([0, 60_000, 120_000], [20, 50, 80])], axes, 400, 200)!;
    expect([g.y0, g.y1]).toEqual([0, 100]);
    expect(ticksOf(g, axes).y).toEqual([0, 25, 50, 75, 100]);
    // Data past a fixed end moves it.
    expect(geometry([line([0, 1], [20, 150])], axes, 400, 200)!.y1).toBeGreaterThan(150);
  });

  it('draws only whole steps on a step axis, and only ticks inside the axis', () => {
    const g = geometry([line([0, 1, 2, 3], [1, 2, 3, 4])], STEPS, 1000, 200)!;
    const { x } = ticksOf(g, STEPS);
    expect(x.every((t) => Number.isInteger(t) && t >= 0 && t <= 3)).toBe(true);
    expect(x).toContain(0);
    expect(x).toContain(3);
  });

  it('has nothing to draw without a finite value, or without room', () => {
    expect(geometry([line([0, 1], [null, null])], STEPS, 400, 200)).toBeNull();
    expect(geometry([line([], [])], STEPS, 400, 200)).toBeNull();
    expect(geometry([line([0, 1], [1, 2])], STEPS, MARGIN.left + MARGIN.right, 200)).toBeNull();
  });

  it('leaves out values a log axis cannot show', () => {
    const g = geometry([line([0, 1, 2], [-1, 0, 10])], { ...STEPS, logY: true }, 400, 200)!;
    expect(g.y0).toBeGreaterThan(0);
    expect(g.y0).toBeLessThan(10);
  });

  it('puts the read-out right of the pointer when it fits, else left of it, always inside the plot', () => {
    expect(tooltipLeft(100, 50, 400)).toBe(110);
    expect(tooltipLeft(380, 50, 400)).toBe(320);
    expect(tooltipLeft(20, 500, 400)).toBe(0);
  });
});
