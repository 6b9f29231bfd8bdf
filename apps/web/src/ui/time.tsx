/** Dates as people read them, with the exact instant in the element for tools and tooltips. */

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

export function DateText({ value, withTime = false }: { value: string | null | undefined; withTime?: boolean }) {
  if (!value) return <span className="muted">—</span>;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return <span>{value}</span>;
  return (
    <time dateTime={d.toISOString()} title={d.toISOString()}>
      {(withTime ? dateTimeFormat : dateFormat).format(d)}
    </time>
  );
}

/** Audit times stay in UTC with their full precision: they are evidence, not a convenience. */
export function UtcTime({ value }: { value: string }) {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?Z$/.exec(value);
  if (!m) return <time dateTime={value}>{value}</time>;
  return (
    <time dateTime={value} className="mono">
      {m[1]} {m[2]}
      <span className="muted">{m[3] ?? ''}</span> UTC
    </time>
  );
}
