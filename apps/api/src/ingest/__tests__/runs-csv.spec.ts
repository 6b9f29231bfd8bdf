import { columnHeader, csvCell, csvLine, parseCsvColumn } from '../runs-csv';

describe('runs table CSV cells', () => {
  it('quotes fields with commas, quotes and line breaks as RFC 4180 says', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvLine(['x', 1.5, null, 'y,z'])).toBe('x,1.5,,"y,z"\r\n');
  });

  it('guards text a spreadsheet would run as a formula, but not plain numbers', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell('+cmd|/C calc')).toBe("'+cmd|/C calc");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('-0.01')).toBe('-0.01');
    expect(csvCell('+1e-3')).toBe('+1e-3');
    expect(csvCell(-0.5)).toBe('-0.5');
    expect(csvCell(NaN)).toBe('NaN');
    expect(csvCell(-Infinity)).toBe('-Infinity');
  });

  it('reads column ids and refuses unknown ones with a reason', () => {
    expect(parseCsvColumn('metrics.val.loss')).toEqual({ kind: 'metrics', key: 'val.loss' });
    expect(parseCsvColumn('params.lr')).toEqual({ kind: 'params', key: 'lr' });
    expect(parseCsvColumn('attributes.duration')).toEqual({ kind: 'attributes', key: 'duration' });
    expect(columnHeader({ kind: 'tags', key: 'site' })).toBe('tags.site');
    expect(parseCsvColumn('attributes.password')).toMatch(/unknown attribute column 'password'/);
    expect(parseCsvColumn('loss')).toMatch(/not a column id/);
    expect(parseCsvColumn('metrics.')).toMatch(/not a column id/);
  });
});
