/** The three split ratio fields of a new version (train, validation, test, in percent), all optional together. */
import { TextField } from '../ui/Field';
import type { RatioPercents } from './dataset-helpers';
import './datasets.css';

export function SplitRatioFields({
  value,
  onChange,
  hint,
  error,
}: {
  value: RatioPercents;
  onChange: (value: RatioPercents) => void;
  /** What applies when they are left empty. */
  hint: string;
  /** What is wrong with them (optionalRatioPercents' error). */
  error: string | null;
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
