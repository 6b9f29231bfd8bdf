/**
 * One experiment: its details and its runs table (filter, sort, columns, grouping and paging in
 * the address, so a shared link opens the same table: see runs-table/state.ts).
 */
import { Link, useParams } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { graphql } from '../gql';
import { PageHeader } from '../ui/PageHeader';
import { PageLoadState } from '../ui/PageLoadState';
import { DateText } from '../ui/time';
import { RunsTable } from '../runs-table/RunsTable';

export const ExperimentDetailsQuery = graphql(`
  query ExperimentDetails($id: ID!) {
    experiment(id: $id) {
      id
      name
      isDefault
      lifecycleStage
      createdAt
      runCount
      tags {
        key
        value
      }
      project {
        id
        slug
        name
      }
    }
  }
`);

export function ExperimentPage() {
  const { experimentId = '' } = useParams();
  const { data, error, loading, refetch } = useQuery(ExperimentDetailsQuery, { variables: { id: experimentId } });

  if (!data) {
    // The guard answers FORBIDDEN for an id it cannot place in a project: to the reader, both mean there is nothing here for them.
    return (
      <PageLoadState
        what="experiment"
        error={error}
        loading={loading}
        onRetry={() => void refetch()}
        missing={`There is no experiment ${experimentId} you can read.`}
        back={{ to: '/runs', label: 'go to the experiments of your projects' }}
        notFoundCodes={['NOT_FOUND', 'FORBIDDEN']}
      />
    );
  }

  const e = data.experiment;
  const note = e.tags.find((t) => t.key === 'mlflow.note.content')?.value;
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/runs">Runs</Link> <span aria-hidden="true">/</span>{' '}
        <Link to={`/projects/${encodeURIComponent(e.project.slug)}`}>{e.project.name}</Link> <span aria-hidden="true">/</span>{' '}
        <span aria-current="page">{e.name}</span>
      </nav>
      <PageHeader title={e.name} description={note} />
      <section className="panel" aria-labelledby="experiment-details-title">
        <h2 id="experiment-details-title" className="sr-only">
          Details
        </h2>
        <dl className="details">
          <div>
            <dt>Experiment ID</dt>
            <dd className="mono">{e.id}</dd>
          </div>
          <div>
            <dt>Runs</dt>
            <dd>{e.runCount}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>
              <DateText value={e.createdAt} withTime />
            </dd>
          </div>
          <div>
            <dt>State</dt>
            <dd>
              {e.lifecycleStage === 'deleted' ? (
                <span className="badge badge-neutral">Deleted</span>
              ) : e.isDefault ? (
                'Active (the project’s Default experiment)'
              ) : (
                'Active'
              )}
            </dd>
          </div>
        </dl>
      </section>
      <section className="panel" aria-labelledby="runs-title">
        <div className="panel-header">
          <h2 id="runs-title">Runs</h2>
        </div>
        <RunsTable key={e.id} experimentId={e.id} experimentName={e.name} projectSlug={e.project.slug} />
      </section>
    </>
  );
}
