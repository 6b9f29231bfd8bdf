/**
 * What a page about one thing (a project, a dataset, an experiment) shows until it has it, under
 * the page's heading: a spinner while it loads; "not found" with the way back when there is nothing
 * at that address the reader may read; otherwise the error with a retry.
 */
import { Link } from 'react-router-dom';
import { errorCode } from '../app/graphql-errors';
import { EmptyState, ErrorState, Loading } from './feedback';
import { PageHeader } from './PageHeader';

export function PageLoadState({
  what,
  error,
  loading,
  onRetry,
  missing,
  back,
  notFoundCodes = ['NOT_FOUND'],
}: {
  /** The thing as a sentence names it ("dataset version"); capitalised, it heads the page. */
  what: string;
  error: unknown;
  loading: boolean;
  onRetry: () => void;
  /** Said when it is not found: "There is no such dataset you can read." */
  missing: string;
  /** The way back when it is not found: { to: '/datasets', label: 'go back to the datasets' }. */
  back: { to: string; label: string };
  /** The error codes that mean there is nothing here for this reader. */
  notFoundCodes?: readonly string[];
}) {
  const title = what.charAt(0).toUpperCase() + what.slice(1);
  if (!error) {
    return (
      <>
        <PageHeader title={title} />
        {loading ? <Loading label={`Loading the ${what}…`} /> : null}
      </>
    );
  }
  const notFound = notFoundCodes.includes(errorCode(error) ?? '');
  return (
    <>
      <PageHeader title={notFound ? `${title} not found` : title} />
      {notFound ? (
        <EmptyState title={missing}>
          <p>
            Check the address, or <Link to={back.to}>{back.label}</Link>.
          </p>
        </EmptyState>
      ) : (
        <ErrorState title={`The ${what} could not be loaded`} error={error} onRetry={onRetry} />
      )}
    </>
  );
}
