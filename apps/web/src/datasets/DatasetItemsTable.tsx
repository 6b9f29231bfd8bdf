/**
 * A version's items, windowed: only the rows in view (and a few either side) are in the DOM at a
 * fixed row height, with spacer rows standing in for the rest, so 100,000 items scroll like 100.
 * Pages are fetched in order as the reader scrolls towards rows not yet loaded. Filter by split.
 */
import { useState } from 'react';
import type { DatasetSplit } from '../gql/graphql';
import { formatBytes } from '../runs/format';
import { ErrorState } from '../ui/feedback';
import { SPLITS, splitLabel, visibleWindow } from './dataset-helpers';
import { useDatasetItems } from './use-dataset-items';

const ROW_HEIGHT = 33;
const VIEWPORT_ROWS = 15;
const OVERSCAN = 10;

export function DatasetItemsTable({
  versionId,
  totalFor,
  revision,
}: {
  versionId: string;
  /** How many items the version has in a split (null: all of them). */
  totalFor: (split: DatasetSplit | null) => number;
  revision: number;
}) {
  const [split, setSplit] = useState<DatasetSplit | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const counted = totalFor(split);
  const range = visibleWindow({ scrollTop, rowHeight: ROW_HEIGHT, viewportRows: VIEWPORT_ROWS, overscan: OVERSCAN, total: counted });
  const items = useDatasetItems(versionId, split, revision, range.last + OVERSCAN);
  // Once every page is here the rows themselves are the count (the counts may be a moment older).
  const total = items.done ? items.rows.length : counted;
  const first = Math.min(range.first, total);
  const last = Math.min(range.last, total);
  const shown = Array.from({ length: last - first }, (_, i) => first + i);

  return (
    <section className="panel" aria-labelledby="items-title">
      <div className="panel-header">
        <h2 id="items-title">Items</h2>
        <label>
          Split{' '}
          <select
            value={split ?? ''}
            onChange={(e) => {
              setSplit((e.target.value || null) as DatasetSplit | null);
              setScrollTop(0);
            }}
          >
            <option value="">All</option>
            {SPLITS.map((s) => (
              <option key={s} value={s}>
                {splitLabel(s)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted small" aria-live="polite">
        {total.toLocaleString('en-GB')} {total === 1 ? 'item' : 'items'}
        {split ? ` in ${splitLabel(split).toLowerCase()}` : ''}; {items.rows.length.toLocaleString('en-GB')} loaded.
      </p>
      {items.error ? <ErrorState title="The items could not be loaded" error={items.error} onRetry={items.retry} /> : null}
      {total > 0 ? (
        <div
          className="table-wrap ds-items-scroll"
          tabIndex={0}
          role="region"
          aria-label="Items, scrollable"
          style={{ maxHeight: ROW_HEIGHT * (VIEWPORT_ROWS + 1) + 2 }}
          onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        >
          <table className="table ds-items" aria-rowcount={total + 1}>
            <caption className="sr-only">Items of the version, in key order</caption>
            <thead>
              <tr aria-rowindex={1}>
                <th scope="col">Item (SOP Instance UID)</th>
                <th scope="col">Patient key</th>
                <th scope="col">Modality</th>
                <th scope="col">Split</th>
                <th scope="col">Label</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">sha256</th>
              </tr>
            </thead>
            <tbody>
              {first > 0 ? (
                <tr className="ds-spacer" aria-hidden="true" style={{ height: first * ROW_HEIGHT }}>
                  <td colSpan={7} />
                </tr>
              ) : null}
              {shown.map((index) => {
                const item = items.rows[index];
                return item ? (
                  <tr key={item.itemKey} aria-rowindex={index + 2} style={{ height: ROW_HEIGHT }}>
                    <td className="mono ds-cell" title={item.itemKey}>
                      {item.itemKey}
                    </td>
                    <td className="mono ds-cell" title={item.patientKey}>
                      {item.patientKey.slice(0, 12)}
                    </td>
                    <td>{item.modality ?? <span className="muted">—</span>}</td>
                    <td>{splitLabel(item.split)}</td>
                    <td>{item.label ?? <span className="muted">—</span>}</td>
                    <td className="num">{formatBytes(item.sizeBytes)}</td>
                    <td className="mono ds-cell" title={item.sha256}>
                      {item.sha256.slice(0, 12)}
                    </td>
                  </tr>
                ) : (
                  <tr key={`loading-${index}`} aria-rowindex={index + 2} style={{ height: ROW_HEIGHT }}>
                    <td colSpan={7} className="muted">
                      Loading…
                    </td>
                  </tr>
                );
              })}
              {last < total ? (
                <tr className="ds-spacer" aria-hidden="true" style={{ height: (total - last) * ROW_HEIGHT }}>
                  <td colSpan={7} />
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
