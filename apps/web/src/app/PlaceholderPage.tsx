/** Pages for what is not built yet: they say what will come, and show no invented data. */
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { PageHeader } from '../ui/PageHeader';

export function PlaceholderPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <>
      <PageHeader title={title} />
      <section className="panel placeholder" aria-label={`${title}: coming later`}>
        <p className="badge badge-neutral">Not available yet</p>
        {children}
      </section>
    </>
  );
}

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" />
      <section className="panel">
        <p>There is no page at this address. It may have moved, or the link may be mistyped.</p>
        <p>
          <Link to="/projects">Go to your projects</Link>
        </p>
      </section>
    </>
  );
}
