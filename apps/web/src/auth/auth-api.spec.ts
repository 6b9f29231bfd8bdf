import { formatWait, parseRetryAfter, safeNextPath } from './auth-api';

describe('parseRetryAfter', () => {
  const now = new Date('2026-11-27T03:00:00Z');
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('900', now)).toBe(900);
    expect(parseRetryAfter('Fri, 27 Nov 2026 03:15:00 GMT', now)).toBe(900);
    expect(parseRetryAfter('Fri, 27 Nov 2026 02:00:00 GMT', now)).toBe(0);
  });
  it('ignores a missing or unreadable header', () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});

describe('formatWait', () => {
  it('says the wait in the largest sensible units', () => {
    expect(formatWait(40)).toBe('40 s');
    expect(formatWait(900)).toBe('15 min');
    expect(formatWait(845)).toBe('14 min 5 s');
    expect(formatWait(7380)).toBe('2 h 3 min');
    expect(formatWait(-3)).toBe('0 s');
  });
});

describe('safeNextPath', () => {
  it('follows only paths inside the app', () => {
    expect(safeNextPath('/audit?action=member.')).toBe('/audit?action=member.');
    expect(safeNextPath('//evil.example/x')).toBe('/projects');
    expect(safeNextPath('https://evil.example')).toBe('/projects');
    expect(safeNextPath('/sign-in')).toBe('/projects');
    expect(safeNextPath(null)).toBe('/projects');
  });
});
