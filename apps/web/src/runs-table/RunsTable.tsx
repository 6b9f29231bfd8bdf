/**
 * The runs table of an experiment: thousands of runs, virtualised (only the rows in view are in
 * the DOM, at a fixed row height), loaded from the server a page at a time as the reader
 * scrolls. Filter with MLflow's grammar (keys autocompleted) and quick filters, sort by a
 * header (a metric's best value too, best first, sorted by the server), choose and order columns, group by a param or tag, select runs to compare, export
 * what is shown as CSV. Everything but the selection lives in the URL (state.ts).
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { EmptyState, ErrorState } from '../ui/feedback';
import { useNow } from '../runs/use-now';
import { LiveIndicator } from '../ui/LiveIndicator';
import { directionWord, useMetricDirections } from '../runs/metric-directions';
import { ColumnChooser, describe } from './ColumnChooser';
import { FilterBox } from './FilterBox';
import { groupItems, type GroupItem } from './groups';
import { BestCell, RunCell } from './RunCell';
import { RunColumnKeysQuery, RunGroupsQuery } from './runs-table.operations';
import {
  bestSortColumn,
  bestSortKey,
  columnKind,
  columnLabel,
  compareHref,
  csvHref,
  filterOf,
  groupByKey,
  hasBareKeys,
  MAX_PAGES,
  MLFLOW_STATUSES,
  orderByOf,
  parseColumn,
  resolveBareKeys,
  RunsTableState,
  shownColumns,
} from './state';
import { TableRun, useRunPages } from './use-run-pages';
import { useRunsTableState } from './use-runs-table-state';
import './runs-table.css';

const ROW_HEIGHT = 37;
const OVERSCAN = 12;
const VIEWPORT_ROWS = 18;
/** The compare page takes at most this many runs. */
export const MAX_COMPARE = 100;
const EMPTY_KEYS = { params: [] as string[], metrics: [] as string[], tags: [] as string[] };

type Item = GroupItem<TableRun>;

function errorMessage(error: unknown): string | null {
  if (CombinedGraphQLErrors.is(error)) {
    const bad = error.errors.find((e) => e.extensions?.code === 'BAD_USER_INPUT');
    if (bad) return bad.message;
  }
  return null;
}

export function RunsTable({
  experimentId,
  experimentName,
  projectSlug,
}: {
  experimentId: string;
  experimentName: string;
  projectSlug: string;
}) {
  const [addressState, update] = useRunsTableState();
  const navigate = useNavigate();
  const now = useNow();
  const keysQuery = useQuery(RunColumnKeysQuery, { variables: { id: experimentId } });
  const keys = keysQuery.data?.experiment.runKeys ?? EMPTY_KEYS;
  // An older address names columns by bare keys: shown as every column of that key, then rewritten with their kinds.
  const keysLoaded = !!keysQuery.data;
  const bare = hasBareKeys(addressState);
  const state = useMemo(() => (bare ? resolveBareKeys(addressState, keys) : addressState), [bare, addressState, keys]);
  useEffect(() => {
    if (keysLoaded && bare) update((now) => resolveBareKeys(now, keys), true);
  }, [keysLoaded, bare, keys, update]);
  const columns = useMemo(() => shownColumns(state, keys), [state, keys]);
  // Each metric column has its best beside its latest, by the project's direction for the key.
  const metricKeys = useMemo(
    () => (state.best ? columns.flatMap((c) => (parseColumn(c)?.kind === 'metrics' ? [parseColumn(c)!.key] : [])) : []),
    [columns, state.best],
  );
  const project = keysQuery.data?.experiment.project;
  // A sort by a best value names its direction (the server sorts by it), shown or not.
  const sortedBest = bestSortKey(state.sort?.column);
  const directionKeys = useMemo(() => (sortedBest === null ? metricKeys : [...metricKeys, sortedBest]), [metricKeys, sortedBest]);
  const directions = useMetricDirections(project?.id, directionKeys);
  const canSetDirections = !!project?.myPermissions.includes('run.write');
  const cellCount = columns.length + metricKeys.length;
  const filter = filterOf(state);
  const orderBy = useMemo(() => orderByOf(state), [state]);
  const pages = useRunPages(experimentId, filter, orderBy, state.pages);
  const [selected, setSelected] = useState<string[]>([]);
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [choosing, setChoosing] = useState(false);
  // The export takes the columns shown, or every column the runs have.
  const [exportEvery, setExportEvery] = useState(false);
  const [tagDraft, setTagDraft] = useState({ key: state.tag?.key ?? '', value: state.tag?.value ?? '' });

  // Group headers count every matching run on the server, not only the pages loaded so far.
  const by = state.groupBy ? groupByKey(state.groupBy) : null;
  const groupsQuery = useQuery(RunGroupsQuery, { variables: { id: experimentId, by: by ?? '', filter: filter || null }, skip: !by });
  const serverGroups = by ? groupsQuery.data?.experiment.runGroups.groups : undefined;

  const items = useMemo<Item[]>(
    () =>
      state.groupBy ? groupItems(pages.rows, state.groupBy, serverGroups, collapsed) : pages.rows.map((run) => ({ kind: 'run', run })),
    [pages.rows, state.groupBy, collapsed, serverGroups],
  );

  // Virtualisation: the rows in view, with spacer rows standing in for the rest.
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil(scrollTop / ROW_HEIGHT) + VIEWPORT_ROWS + OVERSCAN);
  const visible = items.slice(first, last);

  const { hasNextPage, loading, pagesLoaded } = pages;
  const loadMore = useCallback(() => {
    if (hasNextPage && !loading && pagesLoaded < MAX_PAGES) update({ pages: pagesLoaded + 1 }, true);
  }, [hasNextPage, loading, pagesLoaded, update]);
  useEffect(() => {
    if (last >= items.length - OVERSCAN && pagesLoaded > 0) loadMore();
  }, [last, items.length, pagesLoaded, loadMore]);

  const toggle = (runId: string) => setSelected(selected.includes(runId) ? selected.filter((r) => r !== runId) : [...selected, runId]);
  const selectedInOrder = pages.rows.map((r) => r.runId).filter((id) => selected.includes(id));
  const users = [...new Set([...pages.rows.flatMap((r) => (r.user ? [r.user.username] : [])), ...(state.user ? [state.user] : [])])].sort();
  const inputError = errorMessage(pages.error);
  const sortedBestDirection = sortedBest === null ? null : directions.of(sortedBest);
  const sortLabel =
    sortedBest !== null
      ? `sorted by the best ${sortedBest}, ${sortedBestDirection ? `${directionWord(sortedBestDirection)} first` : 'best first'}`
      : state.sort
        ? `sorted by ${describe(state.sort.column)}, ${state.sort.descending ? 'descending' : 'ascending'}`
        : 'newest first';

  return (
    <div className="rt">
      <div className="rt-toolbar">
        <FilterBox value={state.filter} keys={keys} error={inputError} onApply={(f) => update({ filter: f })} />
        <div className="rt-quick" role="group" aria-label="Quick filters">
          <label>
            Status{' '}
            <select value={state.status ?? ''} onChange={(e) => update({ status: (e.target.value || null) as RunsTableState['status'] })}>
              <option value="">Any</option>
              {MLFLOW_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s.charAt(0) + s.slice(1).toLowerCase()}
                </option>
              ))}
            </select>
          </label>
          <label>
            User{' '}
            <select value={state.user ?? ''} onChange={(e) => update({ user: e.target.value || null })}>
              <option value="">Anyone</option>
              {users.map((u) => (
                <option key={u} value={u}>
                  {u}
                </option>
              ))}
            </select>
          </label>
          <form
            className="rt-tag"
            onSubmit={(e) => {
              e.preventDefault();
              update({ tag: tagDraft.key ? { key: tagDraft.key, value: tagDraft.value } : null });
            }}
          >
            <label>
              Tag{' '}
              <select value={tagDraft.key} onChange={(e) => setTagDraft({ ...tagDraft, key: e.target.value })}>
                <option value="">Any</option>
                {keys.tags.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span className="sr-only">Tag value</span>
              <input
                type="text"
                placeholder="value"
                value={tagDraft.value}
                onChange={(e) => setTagDraft({ ...tagDraft, value: e.target.value })}
              />
            </label>
            <button type="submit" className="btn btn-small">
              Set tag filter
            </button>
          </form>
          <label className="check">
            <input type="checkbox" checked={state.best} onChange={(e) => update({ best: e.target.checked }, true)} /> Best values
          </label>
          <label>
            Group by{' '}
            <select value={state.groupBy ?? ''} onChange={(e) => update({ groupBy: e.target.value || null })}>
              <option value="">Nothing</option>
              {keys.params.map((k) => (
                <option key={`p-${k}`} value={`params.${k}`}>
                  Param {k}
                </option>
              ))}
              {keys.tags.map((k) => (
                <option key={`t-${k}`} value={`tags.${k}`}>
                  Tag {k}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="rt-actions">
          <button type="button" className="btn" aria-expanded={choosing} onClick={() => setChoosing(!choosing)}>
            Columns
          </button>
          <span className="rt-export">
            <a className="btn" href={csvHref(projectSlug, experimentId, state, columns, exportEvery)} download>
              Export CSV
            </a>
            <label className="check">
              <input type="checkbox" checked={exportEvery} onChange={(e) => setExportEvery(e.target.checked)} /> Every param, metric and tag
            </label>
          </span>
          <button
            type="button"
            className="btn btn-primary"
            disabled={selectedInOrder.length === 0 || selectedInOrder.length > MAX_COMPARE}
            title={selectedInOrder.length > MAX_COMPARE ? `At most ${MAX_COMPARE} runs can be compared` : undefined}
            onClick={() => navigate(compareHref(projectSlug, selectedInOrder))}
          >
            Compare ({selectedInOrder.length})
          </button>
        </div>
      </div>
      {choosing ? (
        <ColumnChooser
          columns={columns}
          keys={keys}
          onChange={(change) => update((now) => ({ columns: change(shownColumns(now, keys)) }), true)}
          onClose={() => setChoosing(false)}
        />
      ) : null}

      <LiveIndicator live={pages.live} what="Rows of runs still going update until they end." />
      <p className="muted small rt-count" aria-live="polite">
        {pages.totalCount === null
          ? 'Loading runs…'
          : `${pages.totalCount} ${pages.totalCount === 1 ? 'run' : 'runs'}${filter ? ' match' : ''}; ${pages.rows.length} loaded, ${sortLabel}.`}
        {selectedInOrder.length ? ` ${selectedInOrder.length} selected.` : ''}
      </p>
      {pages.error && !inputError ? <ErrorState title="The runs could not be loaded" error={pages.error} onRetry={pages.retry} /> : null}
      {!keysLoaded && (!state.columns || bare) ? (
        <p className="muted small">Loading the columns…</p>
      ) : pages.totalCount === 0 ? (
        <EmptyState title={filter ? 'No run matches the filter.' : 'No runs in this experiment yet.'}>
          {filter ? null : (
            <p>
              Runs appear here when a training script logs to experiment <span className="mono">{experimentName}</span> with the MLflow
              client, MONAI&apos;s MLFlowHandler, the Caliper SDK or CLI.
            </p>
          )}
        </EmptyState>
      ) : (
        <div
          className="table-wrap rt-scroll"
          ref={scroller}
          tabIndex={0}
          role="region"
          aria-label={`Runs of ${experimentName}, scrollable`}
          style={{ maxHeight: ROW_HEIGHT * (VIEWPORT_ROWS + 1) + 2 }}
          onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        >
          <table className="table runs-table">
            <caption className="sr-only">
              Runs of {experimentName}, {sortLabel}
            </caption>
            <thead>
              <tr>
                {columns.flatMap((c) => {
                  const sorted = state.sort?.column === c ? (state.sort.descending ? 'descending' : 'ascending') : 'none';
                  const ref = parseColumn(c);
                  const kind = columnKind(c);
                  const best =
                    state.best && ref?.kind === 'metrics' ? (
                      <BestHeader
                        key={`best:${c}`}
                        metricKey={ref.key}
                        sorted={sortedBest === ref.key}
                        direction={directions.of(ref.key)}
                        onSort={() => update({ sort: { column: bestSortColumn(ref.key), descending: false } })}
                        select={
                          <BestDirectionSelect
                            metricKey={ref.key}
                            direction={directions.of(ref.key)}
                            isDefault={directions.isDefault(ref.key)}
                            disabled={!canSetDirections || directions.saving}
                            onChange={(d) =>
                              void directions
                                .set(ref.key, d)
                                // The server sorted the loaded pages by the old direction: start again.
                                .then(() => (sortedBest === ref.key ? pages.reload() : undefined))
                                .catch(() => undefined)
                            }
                          />
                        }
                      />
                    ) : null;
                  return [
                    <th key={c} scope="col" aria-sort={sorted} className={`${ref?.kind === 'metrics' ? 'metric ' : ''}key-head`}>
                      <button
                        type="button"
                        className={`rt-sort rt-sort-${sorted}`}
                        aria-label={`${describe(c)}: sort ${sorted === 'ascending' ? 'descending' : 'ascending'}`}
                        title={describe(c)}
                        onClick={() => update({ sort: { column: c, descending: sorted === 'ascending' } })}
                      >
                        {kind ? (
                          <>
                            <span className="rt-col-kind">{kind === 'metric' && state.best ? 'latest' : kind}</span> {ref?.key}
                          </>
                        ) : (
                          columnLabel(c)
                        )}
                      </button>
                    </th>,
                    best,
                  ];
                })}
              </tr>
            </thead>
            <tbody>
              {first > 0 ? (
                <tr aria-hidden="true" className="rt-spacer" style={{ height: first * ROW_HEIGHT }}>
                  <td colSpan={cellCount} />
                </tr>
              ) : null}
              {visible.map((item) =>
                item.kind === 'group' ? (
                  <tr key={`g-${item.value}`} className="rt-group" style={{ height: ROW_HEIGHT }}>
                    <th colSpan={cellCount} scope="rowgroup">
                      <button
                        type="button"
                        className="rt-group-toggle"
                        aria-expanded={!item.collapsed}
                        onClick={() => {
                          const next = new Set(collapsed);
                          if (next.has(item.value)) next.delete(item.value);
                          else next.add(item.value);
                          setCollapsed(next);
                        }}
                      >
                        {describe(state.groupBy!)} = {item.value}
                      </button>{' '}
                      <span className="muted">
                        ({item.count} {item.count === 1 ? 'run' : 'runs'}
                        {item.loaded < item.count ? `, ${item.loaded} loaded` : ''})
                      </span>
                    </th>
                  </tr>
                ) : (
                  <tr key={item.run.runId} style={{ height: ROW_HEIGHT }}>
                    {columns.flatMap((c) => {
                      const ref = parseColumn(c);
                      const cell = (
                        <RunCell
                          key={c}
                          run={item.run}
                          column={c}
                          now={now}
                          selected={selected.includes(item.run.runId)}
                          onSelect={() => toggle(item.run.runId)}
                        />
                      );
                      return state.best && ref?.kind === 'metrics'
                        ? [cell, <BestCell key={`best:${c}`} run={item.run} metricKey={ref.key} direction={directions.of(ref.key)} />]
                        : [cell];
                    })}
                  </tr>
                ),
              )}
              {last < items.length ? (
                <tr aria-hidden="true" className="rt-spacer" style={{ height: (items.length - last) * ROW_HEIGHT }}>
                  <td colSpan={cellCount} />
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      )}
      <div className="pager">
        {pages.loading ? <span className="muted small">Loading runs…</span> : null}
        {pages.hasNextPage && !pages.loading && pages.pagesLoaded > 0 ? (
          <button type="button" className="btn" onClick={loadMore} disabled={pages.pagesLoaded >= MAX_PAGES}>
            Load more runs
          </button>
        ) : null}
      </div>
    </div>
  );
}

/**
 * A best column's header: sorts the runs by that best value, best first (the lowest or highest by
 * the direction: the order the values read in, for aria-sort), and holds the direction's choice.
 */
function BestHeader({
  metricKey,
  sorted,
  direction,
  onSort,
  select,
}: {
  metricKey: string;
  sorted: boolean;
  direction: 'MIN' | 'MAX' | null;
  onSort: () => void;
  select: ReactNode;
}) {
  const order = !sorted ? 'none' : direction === 'MIN' ? 'ascending' : direction === 'MAX' ? 'descending' : 'other';
  return (
    <th scope="col" aria-sort={order} className="metric key-head rt-best-head">
      <button
        type="button"
        className={`rt-sort rt-sort-${order}`}
        aria-label={`Best ${metricKey}: sort best first${direction ? ` (${directionWord(direction)} first)` : ''}`}
        title={`Sort by the best ${metricKey}, best first`}
        onClick={onSort}
      >
        <span className="rt-col-kind">best</span> {metricKey}
      </button>{' '}
      {select}
    </th>
  );
}

/** The choice of a metric's direction in its best column's header: the project's, for everyone (run.write to change it). */
function BestDirectionSelect({
  metricKey,
  direction,
  isDefault,
  disabled,
  onChange,
}: {
  metricKey: string;
  direction: 'MIN' | 'MAX' | null;
  isDefault: boolean;
  disabled: boolean;
  onChange: (d: 'MIN' | 'MAX') => void;
}) {
  if (!direction) return <span className="muted small">…</span>;
  return (
    <select
      className="rt-direction"
      aria-label={`Best of ${metricKey}: the ${directionWord(direction)} value${isDefault ? ' (default)' : ''}`}
      title={isDefault ? "The default from the metric's name" : 'Set for this project'}
      value={direction}
      disabled={disabled}
      onChange={(e) => onChange(e.target.value as 'MIN' | 'MAX')}
    >
      <option value="MIN">lowest{isDefault && direction === 'MIN' ? ' (default)' : ''}</option>
      <option value="MAX">highest{isDefault && direction === 'MAX' ? ' (default)' : ''}</option>
    </select>
  );
}
