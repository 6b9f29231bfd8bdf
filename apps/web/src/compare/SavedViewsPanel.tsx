/** Saved views of the compare page: save the current URL state under a name, reopen or delete one. */
import { memo, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import { Link } from 'react-router-dom';
import { MutationError, Notice } from '../ui/feedback';
import { DateText } from '../ui/time';
import { DeleteViewMutation, SavedViewsQuery, SaveViewMutation } from './compare.operations';
import { searchOfEntries } from './url-state';

export const SavedViewsPanel = memo(function SavedViewsPanel({
  projectId,
  slug,
  canSave,
  state,
}: {
  projectId: string;
  slug: string;
  canSave: boolean;
  state: URLSearchParams;
}) {
  const views = useQuery(SavedViewsQuery, { variables: { projectId, kind: 'COMPARE' } });
  const [save, saving] = useMutation(SaveViewMutation, { refetchQueries: [SavedViewsQuery], awaitRefetchQueries: true });
  const [remove, removing] = useMutation(DeleteViewMutation, { refetchQueries: [SavedViewsQuery], awaitRefetchQueries: true });
  const [name, setName] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const list = views.data?.savedViews ?? [];
  const overwriting = list.some((v) => v.name === name.trim());

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(null);
    const r = await save({
      variables: { input: { projectId, kind: 'COMPARE', name: name.trim(), state: [...state].map(([key, value]) => ({ key, value })) } },
    }).catch(() => null);
    if (r?.data) {
      setSaved(r.data.saveView.name);
      setName('');
    }
  };

  return (
    <section className="panel" aria-labelledby="cmp-views-title">
      <h2 id="cmp-views-title">Saved views</h2>
      {canSave ? (
        <form className="inline-form cmp-save" onSubmit={(e) => void onSubmit(e)}>
          <div className="field">
            <label htmlFor="cmp-view-name">View name</label>
            <input id="cmp-view-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} required />
          </div>
          <button type="submit" className="btn btn-primary" disabled={saving.loading || !name.trim()}>
            {overwriting ? 'Overwrite view' : 'Save view'}
          </button>
        </form>
      ) : (
        <p className="muted">Saving views needs a role that may log runs in this project (researcher or PI).</p>
      )}
      <MutationError error={saving.error ?? removing.error} />
      {saved ? <Notice kind="success">Saved “{saved}”: anyone in the project can reopen it below.</Notice> : null}
      {views.error ? <MutationError error={views.error} /> : null}
      {list.length === 0 ? (
        <p className="muted">{views.loading ? 'Loading saved views…' : 'No saved views in this project yet.'}</p>
      ) : (
        <ul className="cmp-views">
          {list.map((v) => (
            <li key={v.id}>
              <Link to={`/projects/${encodeURIComponent(slug)}/compare?${searchOfEntries(v.state)}`}>{v.name}</Link>{' '}
              <span className="muted small">
                {v.createdBy ? `by ${v.createdBy.username}, ` : ''}saved <DateText value={v.updatedAt} withTime />
              </span>
              {canSave ? (
                <button
                  type="button"
                  className="btn btn-small btn-danger-quiet"
                  disabled={removing.loading}
                  onClick={() => void remove({ variables: { input: { projectId, id: v.id } } }).catch(() => null)}
                  aria-label={`Delete view ${v.name}`}
                >
                  Delete
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
});
