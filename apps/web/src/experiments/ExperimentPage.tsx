/**
 * One experiment: its details and its runs table (filter, sort, columns, grouping and paging in
 * the address, so a shared link opens the same table: see runs-table/state.ts).
 */
import { Link, useParams } from 'react-router-dom';
import { useQuery } from '@apollo/client/react';
import { errorCode } from '../app/graphql-errors';
import { graphql } from '../gql';
import { EmptyState, ErrorState, Loading } from '../ui/feedback';
import { PageHeader } from '../ui/PageHeader';
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
    if (error) {
      // The guard answers FORBIDDEN for an id it cannot place in a project: to the reader, both mean there is nothing here for them.
      const notFound = ['NOT_FOUND', 'FORBIDDEN'].includes(errorCode(error) ?? '');
      return (
        <>
          <PageHeader title={notFound ? 'Experiment not found' : 'Experiment'} />
          {notFound ? (
            <EmptyState title={`There is no experiment ${experimentId} you can read.`}>
              <p>
                Check the address, or <Link to="/runs">go to the experiments of your projects</Link>.
              </p>
            </EmptyState>
          ) : (
            <ErrorState title="The experiment could not be loaded" error={error} onRetry={() => void refetch()} />
          )}
        </>
      );
    }
    return (
      <>
        <PageHeader title="Experiment" />
        {loading ? <Loading label="Loading the experiment…" /> : null}
      </>
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
