import { Empty, formatValue } from '../ui';

const SPECIAL = ['metrics', 'schema', 'statistics'];

/** Well-known metadata keys shown for what they are: metrics as a table, schema and statistics as JSON; the rest as JSON too. */
export function VersionMetadata({ metadata }: { metadata: Record<string, unknown> }) {
  const metrics = isRecord(metadata.metrics) ? Object.entries(metadata.metrics).sort(([a], [b]) => a.localeCompare(b)) : [];
  const rest = Object.fromEntries(Object.entries(metadata).filter(([k]) => !SPECIAL.includes(k)));
  const empty =
    metrics.length === 0 && metadata.schema === undefined && metadata.statistics === undefined && Object.keys(rest).length === 0;
  if (empty) return <Empty>No metadata was logged with this version.</Empty>;
  return (
    <div className="metadata">
      {metrics.length > 0 && (
        <section>
          <h3>Metrics</h3>
          <table className="grid narrow" aria-label="Metrics">
            <tbody>
              {metrics.map(([k, v]) => (
                <tr key={k}>
                  <td>
                    <code>{k}</code>
                  </td>
                  <td className="num">{formatValue(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <JsonBlock title="Schema" value={metadata.schema} />
      <JsonBlock title="Statistics" value={metadata.statistics} />
      {Object.keys(rest).length > 0 && <JsonBlock title="Other metadata" value={rest} />}
    </div>
  );
}

function JsonBlock({ title, value }: { title: string; value: unknown }) {
  if (value === undefined) return null;
  return (
    <section>
      <h3>{title}</h3>
      <pre className="code" aria-label={title}>
        {JSON.stringify(value, null, 2)}
      </pre>
    </section>
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
