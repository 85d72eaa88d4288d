import { formatBytesValue, formatValueShort } from '../../charts/format';

/** A dataset or model as the run's detail answers it (`inputs`/`outputs`). */
type Asset = Record<string, unknown>;

const text = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
const cell = (v: unknown) => (typeof v === 'number' ? formatValueShort(v) : text(v));
const STAT_ORDER = ['count', 'distinct', 'missing', 'mean', 'std', 'min', 'max'];
const statRank = (name: string) => (STAT_ORDER.includes(name) ? STAT_ORDER.indexOf(name) : STAT_ORDER.length);
const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * What a run recorded about a dataset or model it read or produced: size and digest, framework, class,
 * hyperparameters and preprocessing, each column with its statistics, and the preview rows. Collapsed to
 * one line until opened.
 */
export function AssetDetails({ asset }: { asset: Asset }) {
  const name = `${text(asset.name)}${asset.version ? `@${text(asset.version)}` : ''}`;
  const columns = Array.isArray(asset.columns)
    ? (asset.columns as Array<{ name: string; type: string; stats?: Record<string, unknown> }>)
    : [];
  // Stored as JSON objects (whose key order is not kept): the usual statistics first, in their usual order.
  const statNames = [...new Set(columns.flatMap((c) => Object.keys(c.stats ?? {})))].sort(
    (a, b) => statRank(a) - statRank(b) || a.localeCompare(b),
  );
  const preview = Array.isArray(asset.preview) ? (asset.preview as Array<Record<string, unknown>>) : [];
  // In the dataset's column order where it has one (the rows' own key order is not kept).
  const order = new Map(columns.map((c, i) => [c.name, i]));
  const previewColumns = [...new Set(preview.flatMap((row) => Object.keys(row)))].sort(
    (a, b) => (order.get(a) ?? order.size) - (order.get(b) ?? order.size),
  );
  const hyperparameters = isRecord(asset.hyperparameters) ? Object.entries(asset.hyperparameters) : [];
  const metadata = isRecord(asset.metadata) ? Object.entries(asset.metadata) : [];
  const preprocessing = Array.isArray(asset.preprocessing) ? asset.preprocessing.map(text) : [];
  const facts: Array<[string, string]> = (
    [
      ['URI', text(asset.uri)],
      ['Size', typeof asset.sizeBytes === 'number' ? formatBytesValue(asset.sizeBytes) : ''],
      ['Digest', text(asset.digest)],
      ['Framework', text(asset.framework)],
      ['Class', text(asset.modelClass)],
    ] as Array<[string, string]>
  ).filter(([, v]) => v);
  const summary = [
    columns.length ? `${columns.length} columns` : '',
    preview.length ? `${preview.length} preview rows` : '',
    text(asset.framework),
    text(asset.modelClass),
  ].filter(Boolean);
  return (
    <details className="asset-details" aria-label={`${text(asset.kind)} ${name}`}>
      <summary>
        <strong>{text(asset.kind)}</strong> {name} {summary.length ? <span className="muted">· {summary.join(' · ')}</span> : null}
      </summary>
      {facts.length ? (
        <dl className="facts">
          {facts.map(([k, v]) => (
            <Fact key={k} label={k} value={v} />
          ))}
        </dl>
      ) : null}
      {hyperparameters.length ? <KeyValues label="Hyperparameters" entries={hyperparameters} /> : null}
      {preprocessing.length ? (
        <>
          <h4>Preprocessing</h4>
          <ol>
            {preprocessing.map((step, i) => (
              <li key={i}>{step}</li>
            ))}
          </ol>
        </>
      ) : null}
      {columns.length ? (
        <div className="table-scroll">
          <h4>Columns</h4>
          <table className="grid csv" aria-label={`Columns of ${name}`}>
            <thead>
              <tr>
                <th>Column</th>
                <th>Type</th>
                {statNames.map((s) => (
                  <th key={s}>{s}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {columns.map((c) => (
                <tr key={c.name}>
                  <td>{c.name}</td>
                  <td>{c.type}</td>
                  {statNames.map((s) => (
                    <td key={s}>{cell(c.stats?.[s])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {preview.length ? (
        <div className="table-scroll">
          <h4>Preview</h4>
          <table className="grid csv" aria-label={`Preview of ${name}`}>
            <thead>
              <tr>
                {previewColumns.map((c) => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.map((row, i) => (
                <tr key={i}>
                  {previewColumns.map((c) => (
                    <td key={c}>{cell(row[c])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {metadata.length ? <KeyValues label="Metadata" entries={metadata} /> : null}
    </details>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
}

function KeyValues({ label, entries }: { label: string; entries: Array<[string, unknown]> }) {
  return (
    <>
      <h4>{label}</h4>
      <dl className="facts" aria-label={label}>
        {entries.map(([k, v]) => (
          <Fact key={k} label={k} value={cell(v)} />
        ))}
      </dl>
    </>
  );
}
