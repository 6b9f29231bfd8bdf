import { SLUG_PATTERN, slugFromName } from './project-slug';
import { tokenStatus } from './token-status';

describe('slugFromName', () => {
  it('suggests a lowercase hyphenated slug the API accepts', () => {
    expect(slugFromName('Brain tumour segmentation')).toBe('brain-tumour-segmentation');
    expect(slugFromName('  Hüft-Fraktur (Röntgen) v2 ')).toBe('huft-fraktur-rontgen-v2');
    expect(slugFromName('Liver segmentation (e2e)')).toBe('liver-segmentation-e2e');
    expect(SLUG_PATTERN.test(slugFromName('Liver segmentation (e2e)'))).toBe(true);
  });

  it('never ends in a hyphen after truncation', () => {
    const slug = slugFromName(`${'a'.repeat(62)} b`);
    expect(slug.length).toBeLessThanOrEqual(63);
    expect(slug.endsWith('-')).toBe(false);
  });
});

describe('tokenStatus', () => {
  const now = new Date('2026-11-27T12:00:00Z');
  it('is revoked before anything else, then expired, else active', () => {
    expect(tokenStatus({ revokedAt: '2026-11-01T00:00:00Z', expiresAt: '2027-01-01T00:00:00Z' }, now)).toBe('revoked');
    expect(tokenStatus({ revokedAt: null, expiresAt: '2026-11-27T12:00:00Z' }, now)).toBe('expired');
    expect(tokenStatus({ revokedAt: null, expiresAt: '2026-12-27T12:00:00Z' }, now)).toBe('active');
  });
});
