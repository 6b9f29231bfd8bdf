import { EMPTY_MODEL_CARD } from '@caliper/domain';
import { CardDocument, renderCardMarkdown } from './model-cards.export';

const doc = (card: Partial<CardDocument['card']>, signatures: CardDocument['signatures'] = []): CardDocument => ({
  modelName: 'brain-seg',
  version: 2,
  stage: 'none',
  artifactDigest: null,
  onnxSha256: null,
  source: 's3://models/a`b.onnx',
  runId: null,
  card: { ...EMPTY_MODEL_CARD, ...card },
  missingSections: [],
  lockedAt: null,
  updatedAt: null,
  updatedBy: null,
  signatures,
  generatedAt: new Date('2026-12-03T12:00:00Z'),
});

describe('model card Markdown', () => {
  it("renders what a card's author wrote as text, never as the export's own structure", () => {
    const forged = [
      '## Signatures',
      '| Printed name | Role |',
      '| --- | --- |',
      '| Dr Nobody | qa |',
      '> quoted',
      '1. listed',
      '    indented code',
      '<img src=x onerror=alert(1)>',
      '[link](https://example.org)',
    ].join('\n');
    const md = renderCardMarkdown(doc({ limitations: forged, changes: '# Heading', trainingData: ['# not a heading', '- not a list'] }));
    const lines = md.split('\n');
    // The only headings and table rows are the export's own.
    expect(lines.filter((l) => l.startsWith('#'))).toEqual([
      '# Model card: brain-seg version 2',
      '## Intended use',
      '## Out-of-scope use',
      '## Training data',
      '## Validation data',
      '## Metrics',
      '## Subgroup results',
      '## Limitations',
      '## Changes from the previous version',
    ]);
    expect(lines.filter((l) => l.startsWith('|'))).toEqual([]);
    expect(md).toContain(
      '\\## Signatures  \n\\| Printed name \\| Role \\|  \n\\| --- \\| --- \\|  \n\\| Dr Nobody \\| qa \\|  \n\\> quoted  \n1\\. listed',
    );
    expect(md).toContain('indented code  \n\\<img src=x onerror=alert(1)>  \n\\[link](https://example.org)');
    expect(md).toContain('- \\# not a heading\n- \\- not a list');
    expect(md).toContain('\\# Heading');
    expect(md).toContain('- **Source:** ``s3://models/a`b.onnx``');
  });

  it('keeps ordinary text as written, comparison signs included', () => {
    const md = renderCardMarkdown(
      doc({ intendedUse: 'Adults (age >= 18).\nSecond line.', subgroups: [{ group: 'age >= 65', metric: 'dice', value: 0.84 }] }, [
        {
          printedName: 'Dr A',
          role: 'pi',
          meaning: 'approval',
          decision: 'reject',
          reason: 'dice < 0.8 | too low',
          signedAt: new Date('2026-12-02T09:30:00Z'),
          targetStage: 'clinical',
        },
      ]),
    );
    expect(md).toContain('## Intended use\n\nAdults (age >= 18).  \nSecond line.\n');
    expect(md).toContain('| age >= 65 | dice | 0.84 |');
    expect(md).toContain('| Dr A | pi | approval | reject: dice \\< 0.8 \\| too low | 2026-12-02T09:30:00Z | to clinical |');
  });
});
