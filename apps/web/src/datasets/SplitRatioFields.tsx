/** The three split ratio fields of a new version (train, validation, test, in percent), all optional together, with their state. */
import { useState } from 'react';
import { TextField } from '../ui/Field';
import { NO_RATIO_PERCENTS, optionalRatioPercents, type RatioPercents, type SplitRatios } from './dataset-helpers';
import './datasets.css';

export interface SplitRatioState {
  value: RatioPercents;
  onChange: (value: RatioPercents) => void;
  /** What is wrong with them, once read. */
  error: string | null;
  /** The ratios to send (undefined: none given), or null after showing why they cannot be. */
  read: () => { ratios: SplitRatios | undefined } | null;
}

export function useSplitRatios(): SplitRatioState {
  const [value, onChange] = useState(NO_RATIO_PERCENTS);
  const [error, setError] = useState<string | null>(null);
  const read = () => {
    const parsed = optionalRatioPercents(value);
    setError('error' in parsed ? parsed.error : null);
    return 'error' in parsed ? null : parsed;
  };
  return { value, onChange, error, read };
}

export function SplitRatioFields({
  state: { value, onChange, error },
  hint,
}: {
  state: SplitRatioState;
  /** What applies when they are left empty. */
  hint: string;
}) {
  const field = (label: string, key: keyof RatioPercents) => (
    <TextField label={label} inputMode="decimal" value={value[key]} onChange={(e) => onChange({ ...value, [key]: e.target.value })} />
  );
  return (
    <fieldset className="ratio-fields">
      <legend>
        Split ratios, in % <span className="optional">(optional)</span>
      </legend>
      <p className="field-hint">{hint}</p>
      {field('Train', 'train')}
      {field('Validation', 'val')}
      {field('Test', 'test')}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
