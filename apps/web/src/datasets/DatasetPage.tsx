/** One dataset: its versions newest first, and "New version" (empty, or from a sealed version, optionally resplit). */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useMutation, useQuery } from '@apollo/client/react';
import type { DatasetQuery as DatasetQueryResult } from '../gql/graphql';
import { EmptyState, MutationError } from '../ui/feedback';
import { SelectField, TextAreaField, TextField } from '../ui/Field';
import { PageHeader } from '../ui/PageHeader';
import { PageLoadState } from '../ui/PageLoadState';
import { DateText } from '../ui/time';
import { formatRatios, itemKeysOf } from './dataset-helpers';
import { CreateDatasetVersionMutation, DatasetQuery } from './datasets.operations';
import { PacsVersionWizard } from './PacsVersionWizard';
import { SplitRatioFields, useSplitRatios } from './SplitRatioFields';
import { useProjectOf } from './use-project-of';
import { VersionStateBadge } from './VersionStateBadge';
import './datasets.css';

type Dataset = DatasetQueryResult['dataset'];

export function DatasetPage() {
  const { datasetId = '' } = useParams();
  const { data, error, loading, refetch } = useQuery(DatasetQuery, { variables: { id: datasetId } });
  const { project, can } = useProjectOf(data?.dataset.projectId);
  const [creating, setCreating] = useState(false);
  const [fromPacs, setFromPacs] = useState(false);

  if (!data) {
    return (
      <PageLoadState
        what="dataset"
        error={error}
        loading={loading}
        onRetry={() => void refetch()}
        missing="There is no such dataset you can read."
        back={{ to: '/datasets', label: 'go back to the datasets' }}
      />
    );
  }

  const dataset = data.dataset;
  const canWrite = can('dataset.write');
  const numberOf = new Map(dataset.versions.map((v) => [v.id, v.number]));
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/datasets">Datasets</Link> <span aria-hidden="true">/</span>{' '}
        {project ? (
          <>
            <span>{project.name}</span> <span aria-hidden="true">/</span>{' '}
          </>
        ) : null}
        <span aria-current="page">{dataset.name}</span>
      </nav>
      <PageHeader
        title={dataset.name}
        description={dataset.description || undefined}
        actions={
          canWrite && !creating && !fromPacs ? (
            <>
              <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
                New version
              </button>
              <button type="button" className="btn" onClick={() => setFromPacs(true)}>
                Build a version from PACS
              </button>
            </>
          ) : null
        }
      />
      {creating ? <CreateVersionForm dataset={dataset} onCancel={() => setCreating(false)} /> : null}
      {fromPacs ? <PacsVersionWizard datasetId={dataset.id} projectId={dataset.projectId} onCancel={() => setFromPacs(false)} /> : null}
      <section className="panel" aria-labelledby="versions-title">
        <div className="panel-header">
          <h2 id="versions-title">Versions</h2>
          <span className="muted small">
            Created <DateText value={dataset.createdAt} />
          </span>
        </div>
        {dataset.versions.length === 0 ? (
          <EmptyState title="No versions yet.">
            {canWrite ? <p>Start with “New version”: an empty draft to upload DICOM files into.</p> : null}
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">Versions of {dataset.name}, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">State</th>
                  <th scope="col" className="num">
                    Items
                  </th>
                  <th scope="col" className="num">
                    Patients
                  </th>
                  <th scope="col">Created</th>
                  <th scope="col">Sealed</th>
                  <th scope="col">Built from</th>
                </tr>
              </thead>
              <tbody>
                {dataset.versions.map((v) => (
                  <tr key={v.id}>
                    <td>
                      <Link to={`/dataset-versions/${encodeURIComponent(v.id)}`} className="strong-link">
                        Version {v.number}
                      </Link>
                    </td>
                    <td>
                      <VersionStateBadge state={v.state} />
                    </td>
                    <td className="num">{v.counts.items.toLocaleString('en-GB')}</td>
                    <td className="num">{v.counts.patients.toLocaleString('en-GB')}</td>
                    <td>
                      <DateText value={v.createdAt} withTime />
                    </td>
                    <td>
                      <DateText value={v.sealedAt} withTime />
                    </td>
                    <td>
                      {v.parentId ? (
                        <Link to={`/dataset-versions/${encodeURIComponent(v.parentId)}`}>Version {numberOf.get(v.parentId) ?? '?'}</Link>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

function CreateVersionForm({ dataset, onCancel }: { dataset: Dataset; onCancel: () => void }) {
  const navigate = useNavigate();
  const sealed = dataset.versions.filter((v) => v.state === 'SEALED');
  const [parentId, setParentId] = useState(sealed[0]?.id ?? '');
  const parent = sealed.find((v) => v.id === parentId);
  const [resplit, setResplit] = useState(false);
  const [removals, setRemovals] = useState('');
  const [seed, setSeed] = useState('');
  const [stratify, setStratify] = useState(false);
  const ratios = useSplitRatios();
  const [create, { loading, error }] = useMutation(CreateDatasetVersionMutation, {
    refetchQueries: [{ query: DatasetQuery, variables: { id: dataset.id } }],
  });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const splitRatios = ratios.read();
    if (!splitRatios) return;
    try {
      const result = await create({
        variables: {
          input: {
            datasetId: dataset.id,
            parentVersionId: parent?.id,
            resplit: parent ? resplit : undefined,
            removeItemKeys: parent ? itemKeysOf(removals) : undefined,
            splitSeed: seed.trim() || undefined,
            splitRatios: splitRatios.ratios,
            stratifyByLabel: stratify || undefined,
          },
        },
      });
      if (result.data) navigate(`/dataset-versions/${encodeURIComponent(result.data.createDatasetVersion.id)}`);
    } catch {
      // Rendered from the mutation state.
    }
  }

  return (
    <section className="panel" aria-labelledby="new-version-title">
      <h2 id="new-version-title">New version</h2>
      <form className="form form-wide" onSubmit={submit}>
        <SelectField
          label="Start from"
          value={parentId}
          onChange={(e) => setParentId(e.target.value)}
          hint={
            sealed.length
              ? 'A sealed version’s items, splits and labels are copied into the new draft; patients keep their split unless you resplit.'
              : 'Only sealed versions can be built on; seal a draft first to derive from it.'
          }
        >
          <option value="">An empty draft (upload DICOM files into it)</option>
          {sealed.map((v) => (
            <option key={v.id} value={v.id}>
              Version {v.number} ({v.counts.items.toLocaleString('en-GB')} items, seed {v.splitSeed})
            </option>
          ))}
        </SelectField>
        {parent ? (
          <>
            <TextAreaField
              label="Leave out items"
              value={removals}
              onChange={(e) => setRemovals(e.target.value)}
              rows={3}
              className="mono"
              spellCheck={false}
              hint={`Item keys (SOP Instance UIDs) of version ${parent.number}, one per line or separated by commas or spaces.`}
            />
            <label className="check">
              <input type="checkbox" checked={resplit} onChange={(e) => setResplit(e.target.checked)} /> Place every patient afresh
              (resplit)
            </label>
          </>
        ) : null}
        <TextField
          label="Split seed"
          value={seed}
          onChange={(e) => setSeed(e.target.value)}
          maxLength={200}
          className="mono"
          hint={parent ? `Kept from version ${parent.number} (${parent.splitSeed}) when empty.` : 'A random seed is chosen when empty.'}
        />
        <SplitRatioFields
          state={ratios}
          hint={
            parent
              ? `Kept from version ${parent.number} when empty: ${formatRatios(parent.splitRatios)}.`
              : 'The default ratios apply when empty.'
          }
        />
        <label className="check">
          <input type="checkbox" checked={stratify} onChange={(e) => setStratify(e.target.checked)} /> Stratify the split by label
        </label>
        <MutationError error={error} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={loading}>
            {loading ? 'Creating…' : 'Create version'}
          </button>
          <button type="button" className="btn btn-quiet" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
