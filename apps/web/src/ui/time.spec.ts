import { formatAbsolute, formatExact, formatRelative } from './time';

describe('dates in one form', () => {
  const now = Date.parse('2026-12-03T13:49:07Z');
  const at = (ms: number) => new Date(now + ms);

  it('reads recent dates relative, both ways, and older ones not at all', () => {
    expect(formatRelative(at(-10_000), now)).toBe('just now');
    expect(formatRelative(at(-5 * 60_000), now)).toBe('5 min ago');
    expect(formatRelative(at(3 * 3600_000), now)).toBe('in 3 hr');
    expect(formatRelative(at(-30 * 3600_000), now)).toBe('yesterday');
    expect(formatRelative(at(-4 * 86400_000), now)).toBe('4 days ago');
    expect(formatRelative(at(-8 * 86400_000), now)).toBeNull();
    expect(formatRelative(at(8 * 86400_000), now)).toBeNull();
  });

  it("writes absolute and exact dates in the one format (in the reader's time zone; UTC here)", () => {
    expect(formatAbsolute(at(0), false, 'UTC')).toBe('3 Dec 2026');
    expect(formatAbsolute(at(0), true, 'UTC')).toBe('3 Dec 2026, 13:49');
    expect(formatExact(at(0), 'UTC')).toBe('3 Dec 2026, 13:49:07 UTC');
  });
});
