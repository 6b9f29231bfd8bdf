import { artifactUrl, imageTypeOf, prettyJson, previewKind } from './artifacts-api';

describe('artifact previews', () => {
  it('previews images, JSON and text by extension, and never HTML or SVG', () => {
    expect(previewKind('plots/confusion.PNG')).toBe('image');
    expect(previewKind('metrics.json')).toBe('json');
    expect(previewKind('logs/train.log')).toBe('text');
    expect(previewKind('model/MLmodel')).toBe('text');
    expect(previewKind('report.html')).toBeNull();
    expect(previewKind('plot.svg')).toBeNull();
    expect(previewKind('model.onnx')).toBeNull();
    expect(imageTypeOf('a/b.jpeg')).toBe('image/jpeg');
    expect(imageTypeOf('a/b.svg')).toBeNull();
  });

  it('encodes each path segment of a download address', () => {
    expect(artifactUrl('abc', 'plots/loss curve#1.png')).toBe('/api/v1/runs/abc/artifacts/plots/loss%20curve%231.png');
  });

  it('pretty-prints whole JSON and leaves a truncated or broken one as it is', () => {
    expect(prettyJson('{"a":1}', false)).toBe('{\n  "a": 1\n}');
    expect(prettyJson('{"a":1', false)).toBe('{"a":1');
    expect(prettyJson('{"a":1}', true)).toBe('{"a":1}');
  });
});
