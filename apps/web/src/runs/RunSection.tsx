/** A titled section of the run page, its id the target of the page's section links. */
import type { ReactNode } from 'react';

export function RunSection({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="panel" id={id} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}
