import { formatAbsolute, formatClock, formatExact, formatRelative } from './time';

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

  it('says every relative distance as Intl.RelativeTimeFormat en-GB does', () => {
    const intl = new Intl.RelativeTimeFormat('en-GB', { numeric: 'auto', style: 'short' });
    let checked = 0;
    // Every minute out to 22 hours, then every quarter hour out to a week, both ways.
    for (let ms = 45_000; ms < 7 * 86400_000; ms += ms < 22 * 3600_000 ? 60_000 : 15 * 60_000)
      for (const sign of [-1, 1]) {
        const abs = ms;
        const expected =
          abs < 45 * 60_000
            ? intl.format(sign * Math.max(1, Math.round(abs / 60_000)), 'minute')
            : abs < 22 * 3600_000
              ? intl.format(sign * Math.round(abs / 3600_000), 'hour')
              : intl.format(sign * Math.max(1, Math.round(abs / 86400_000)), 'day');
        expect(formatRelative(at(sign * ms), now)).toBe(expected);
        checked++;
      }
    expect(checked).toBeGreaterThan(2000);
  });

  it("writes absolute and exact dates in the one format (in the reader's time zone; UTC here)", () => {
    expect(formatAbsolute(at(0), false, 'UTC')).toBe('3 Dec 2026');
    expect(formatAbsolute(at(0), true, 'UTC')).toBe('3 Dec 2026, 13:49');
    expect(formatExact(at(0), 'UTC')).toBe('3 Dec 2026, 13:49:07 UTC');
    expect(formatClock(at(0), 'UTC')).toBe('13:49:07');
    expect(formatExact(new Date('2026-09-01T00:05:09Z'), 'UTC')).toBe('1 Sep 2026, 00:05:09 UTC');
  });

  it("matches Intl's en-GB dates and times, in UTC and in the reader's zone, through a year", () => {
    const options = (timeZone?: string) =>
      ({ day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone }) as const;
    const utc = new Intl.DateTimeFormat('en-GB', options('UTC'));
    const local = new Intl.DateTimeFormat('en-GB', options());
    // ICU's en-GB abbreviates September "Sept"; Caliper writes three letters for every month.
    const intl = (f: Intl.DateTimeFormat, d: Date) => f.format(d).replace('Sept', 'Sep');
    for (let ms = Date.parse('2026-01-01T00:00:00Z'); ms < Date.parse('2027-01-01T00:00:00Z'); ms += 7 * 3600_000 + 61_017) {
      const d = new Date(ms);
      expect(formatExact(d, 'UTC')).toBe(`${intl(utc, d)} UTC`);
      expect(formatExact(d).replace(/ UTC([+-]\d\d:\d\d)?$/, '')).toBe(intl(local, d));
      expect(formatAbsolute(d, true)).toBe(intl(local, d).slice(0, -3));
      expect(formatAbsolute(d, false)).toBe(intl(local, d).replace(/, .*$/, ''));
    }
  });

  it('names the zone by its offset from UTC', () => {
    const d = new Date('2026-07-01T12:00:00Z');
    const offset = -d.getTimezoneOffset();
    const expected =
      offset === 0
        ? 'UTC'
        : `UTC${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
    expect(formatExact(d).endsWith(` ${expected}`)).toBe(true);
  });
});
