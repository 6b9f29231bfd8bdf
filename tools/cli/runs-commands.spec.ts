import { InvalidArgumentError } from 'commander';
import { formatTable, parseKeyValues, parseMetricArg } from './runs-commands';

describe('CLI argument parsing', () => {
  it('reads key=value pairs, keeping "=" inside values', () => {
    expect(parseKeyValues(['lr=0.01', 'cmd=a=b', 'empty='], 'param')).toEqual({ lr: '0.01', cmd: 'a=b', empty: '' });
    expect(() => parseKeyValues(['lr'], 'param')).toThrow(new InvalidArgumentError('param "lr" must look like key=value'));
    expect(() => parseKeyValues(['=1'], 'tag')).toThrow(/tag "=1" must look like key=value/);
  });

  it('reads metrics with an optional step', () => {
    expect(parseMetricArg('loss=0.25')).toEqual({ key: 'loss', value: 0.25, step: 0 });
    expect(parseMetricArg('val/dice=0.8@12')).toEqual({ key: 'val/dice', value: 0.8, step: 12 });
    expect(parseMetricArg('x=NaN@1').value).toBeNaN();
    expect(parseMetricArg('x=-Infinity').value).toBe(-Infinity);
    for (const bad of ['loss', 'loss=abc', 'loss=1@1.5', '=1'])
      expect(() => parseMetricArg(bad)).toThrow(/must look like key=value or key=value@step/);
  });

  it('aligns table columns without padding the last one', () => {
    expect(
      formatTable(
        ['ID', 'NAME', 'M'],
        [
          ['a', 'long-name', 'x=1'],
          ['bbb', 'n', ''],
        ],
      ),
    ).toBe('ID   NAME       M\na    long-name  x=1\nbbb  n          ');
  });
});
