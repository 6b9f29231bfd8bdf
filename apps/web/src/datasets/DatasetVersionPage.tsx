/**
 * One dataset version: counts per split, modality and label; how it was split; its seal (manifest
 * sha256 and de-identification attestation); its lineage; its items, windowed; what changed from
 * another version. A draft also offers the upload area and label and split files (dataset.write),
 * and "Seal…" (dataset.seal).
 */
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import type { DatasetSplit, DatasetVersionQuery as VersionResult } from '../gql/graphql';
import { formatBytes } from '../runs/format';
import { CopyButton } from '../ui/CopyButton';
import { PageHeader } from '../ui/PageHeader';
import { PageLoadState } from '../ui/PageLoadState';
import { DateText } from '../ui/time';
import { DatasetItemsTable } from './DatasetItemsTable';
import { formatRatios, splitLabel } from './dataset-helpers';
import { DatasetOfVersionQuery, DatasetVersionQuery } from './datasets.operations';
import { DicomUploadPanel } from './DicomUploadPanel';
import { ItemFilesPanel } from './ItemFilesPanel';
import { SealDialog } from './SealDialog';
import { useProjectOf } from './use-project-of';
import { VerificationPanel } from './VerificationPanel';
import { VersionDiff } from './VersionDiff';
import { VersionStateBadge } from './VersionStateBadge';
import { VersionUsage } from './VersionUsage';
import './datasets.css';

type Version = VersionResult['datasetVersion'];

export function DatasetVersionPage() {
  const { versionId = '' } = useParams();
  const { data, error, loading, refetch } = useQuery(DatasetVersionQuery, { variables: { id: versionId } });
  const version = data?.datasetVersion;
  const datasetQuery = useQuery(DatasetOfVersionQuery, { variables: { id: version?.datasetId ?? '' }, skip: !version });
  const dataset = datasetQuery.data?.dataset;
  const { can } = useProjectOf(dataset?.projectId);
  const [sealing, setSealing] = useState(false);
  const [revision, setRevision] = useState(0);
  const [search, setSearch] = useSearchParams();

  if (!version) {
    return (
      <PageLoadState
        what="dataset version"
        error={error}
        loading={loading}
        onRetry={() => void refetch()}
        missing="There is no such dataset version you can read."
        back={{ to: '/datasets', label: 'go back to the datasets' }}
      />
    );
  }

  const draft = version.state === 'DRAFT';
  const numberOf = new Map((dataset?.versions ?? []).map((v) => [v.id, v.number]));
  const others = (dataset?.versions ?? []).filter((v) => v.id !== version.id);
  const totalFor = (split: DatasetSplit | null) =>
    split ? (version.counts.bySplit.find((s) => s.split === split)?.items ?? 0) : version.counts.items;
  const title = dataset ? `${dataset.name}, version ${version.number}` : `Version ${version.number}`;

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/datasets">Datasets</Link> <span aria-hidden="true">/</span>{' '}
        <Link to={`/datasets/${encodeURIComponent(version.datasetId)}`}>{dataset?.name ?? 'Dataset'}</Link>{' '}
        <span aria-hidden="true">/</span> <span aria-current="page">Version {version.number}</span>
      </nav>
      <PageHeader
        title={title}
        description={<VersionStateBadge state={version.state} />}
        actions={
          draft && can('dataset.seal') ? (
            <button type="button" className="btn btn-primary" onClick={() => setSealing(true)} disabled={version.counts.items === 0}>
              Seal…
            </button>
          ) : null
        }
      />
      {draft && can('dataset.seal') ? (
        <SealDialog
          versionId={version.id}
          number={version.number}
          items={version.counts.items}
          open={sealing}
          onClose={() => setSealing(false)}
        />
      ) : null}
      <DetailsSection version={version} />
      <LineageSection version={version} numberOf={numberOf} />
      <VersionUsage key={`usage:${version.id}`} versionId={version.id} sealed={version.state === 'SEALED'} />
      <CountsSection version={version} />
      <VerificationPanel versionId={version.id} canVerify={can('dataset.write')} />
      {draft && can('dataset.write') ? (
        <DicomUploadPanel
          versionId={version.id}
          onUploaded={() => {
            void refetch();
            setRevision((r) => r + 1);
          }}
        />
      ) : null}
      {draft && can('dataset.write') ? (
        <ItemFilesPanel
          versionId={version.id}
          onApplied={() => {
            void refetch();
            setRevision((r) => r + 1);
          }}
        />
      ) : null}
      <DatasetItemsTable key={version.id} versionId={version.id} totalFor={totalFor} revision={revision} />
      <VersionDiff
        versionId={version.id}
        number={version.number}
        others={others}
        fromId={search.get('compare')}
        onFromChange={(id) =>
          setSearch(
            (now) => {
              const next = new URLSearchParams(now);
              if (id) next.set('compare', id);
              else next.delete('compare');
              return next;
            },
            { replace: true },
          )
        }
      />
    </>
  );
}

function DetailsSection({ version }: { version: Version }) {
  const attestation = version.deidAttestation;
  return (
    <section className="panel" aria-labelledby="version-details-title">
      <h2 id="version-details-title">Details</h2>
      <dl className="details details-wide">
        <div>
          <dt>State</dt>
          <dd>
            {version.state === 'SEALED' ? (
              <>
                Sealed on <DateText value={version.sealedAt} withTime />
              </>
            ) : (
              'Draft: items can still be added, and nothing is final until it is sealed'
            )}
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <DateText value={version.createdAt} withTime />
          </dd>
        </div>
        <div>
          <dt>Splits</dt>
          <dd>
            {version.splitMode === 'EXPLICIT'
              ? 'Explicit, from split files: a new item joins its patient’s split, a new patient waits for a split file'
              : 'By the split seed and ratios'}
          </dd>
        </div>
        <div>
          <dt>Split seed</dt>
          <dd className="mono">{version.splitSeed}</dd>
        </div>
        <div>
          <dt>Split ratios</dt>
          <dd>
            {formatRatios(version.splitRatios)}
            {version.stratifyByLabel ? ', stratified by label' : ''}
          </dd>
        </div>
        {version.manifestSha256 ? (
          <div>
            <dt>Manifest sha256</dt>
            <dd>
              <span className="mono hash" data-testid="manifest-sha256">
                {version.manifestSha256}
              </span>{' '}
              <CopyButton text={version.manifestSha256} label="Copy" />
              {version.manifestKey ? <div className="mono muted small">{version.manifestKey}</div> : null}
            </dd>
          </div>
        ) : null}
        {attestation ? (
          <div>
            <dt>De-identification</dt>
            <dd>
              <strong>{attestation.method}</strong>
              <p className="ds-attestation">{attestation.summary}</p>
              <span className="muted small">
                Attested <DateText value={attestation.attestedAt} withTime />
              </span>
            </dd>
          </div>
        ) : null}
      </dl>
    </section>
  );
}

function LineageSection({ version, numberOf }: { version: Version; numberOf: Map<string, number> }) {
  return (
    <section className="panel" aria-labelledby="lineage-title">
      <h2 id="lineage-title">Lineage</h2>
      <dl className="details">
        <div>
          <dt>Built from</dt>
          <dd>
            {version.parentId ? (
              <Link to={`/dataset-versions/${encodeURIComponent(version.parentId)}`}>Version {numberOf.get(version.parentId) ?? '?'}</Link>
            ) : (
              <span className="muted">Nothing: started empty</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Built on it</dt>
          <dd>
            {version.children.length ? (
              <ul className="ds-inline-list">
                {version.children.map((c) => (
                  <li key={c.id}>
                    <Link to={`/dataset-versions/${encodeURIComponent(c.id)}`}>Version {c.number}</Link>{' '}
                    <VersionStateBadge state={c.state} />
                  </li>
                ))}
              </ul>
            ) : (
              <span className="muted">No version yet</span>
            )}
          </dd>
        </div>
      </dl>
    </section>
  );
}

function CountsSection({ version }: { version: Version }) {
  const c = version.counts;
  return (
    <section className="panel" aria-labelledby="counts-title">
      <div className="panel-header">
        <h2 id="counts-title">Counts</h2>
        <span className="muted small">
          {c.items.toLocaleString('en-GB')} items, {c.patients.toLocaleString('en-GB')} patients, {c.studies.toLocaleString('en-GB')}{' '}
          studies, {c.series.toLocaleString('en-GB')} series, {formatBytes(c.bytes)}
        </span>
      </div>
      {c.items === 0 ? (
        <p className="muted">No items yet.</p>
      ) : (
        <div className="ds-counts">
          <div className="table-wrap">
            <table className="table" aria-label="Counts per split">
              <thead>
                <tr>
                  <th scope="col">Split</th>
                  <th scope="col" className="num">
                    Items
                  </th>
                  <th scope="col" className="num">
                    Patients
                  </th>
                  <th scope="col" className="num">
                    Studies
                  </th>
                </tr>
              </thead>
              <tbody>
                {c.bySplit.map((s) => (
                  <tr key={s.split ?? 'none'}>
                    <th scope="row">{splitLabel(s.split)}</th>
                    <td className="num">{s.items.toLocaleString('en-GB')}</td>
                    <td className="num">{s.patients.toLocaleString('en-GB')}</td>
                    <td className="num">{s.studies.toLocaleString('en-GB')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ValueCounts title="Modalities" rows={c.byModality} none="Unknown" />
          <ValueCounts title="Labels" rows={c.byLabel} none="No label" />
        </div>
      )}
    </section>
  );
}

function ValueCounts({ title, rows, none }: { title: string; rows: readonly { value?: string | null; items: number }[]; none: string }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label={`Counts per ${title.toLowerCase().replace(/s$/, '')}`}>
        <thead>
          <tr>
            <th scope="col">{title.replace(/s$/, '')}</th>
            <th scope="col" className="num">
              Items
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.value ?? ''}>
              <th scope="row">{r.value ?? <span className="muted">{none}</span>}</th>
              <td className="num">{r.items.toLocaleString('en-GB')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
