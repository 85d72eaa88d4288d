import type { TableColumnStats, TableList, TableRows, TableStats } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { useState, type FormEvent } from 'react';
import { useResource } from '../../api/hooks';
import { Pager, TableGrid } from '../../components/tables/TableGrid';
import { Empty, ErrorBox, formatValue, Loading } from '../../components/ui';

const PAGE = 50;

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, String(v));
  return search.toString() ? `&${search}` : '';
}

/** Tables the run logged: pick a key and step; sort by clicking headers, filter with the filter language, page, read column statistics. */
export function TablesTab({ org, project, run }: { org: string; project: string; run: string }) {
  const list = useResource<TableList>(paths.runTables(org, project, run));
  const [selected, setSelected] = useState<{ key: string; step: number }>();
  if (list.error) return <ErrorBox error={list.error} />;
  if (!list.data) return <Loading what="Loading tables" />;
  if (!list.data.tables.length)
    return (
      <Empty>
        This run has logged no tables. Log one with run.log({'{'} preds: Table(...) {'}'}, step).
      </Empty>
    );
  const keys = [...new Set(list.data.tables.map((t) => t.key))];
  const current = selected ?? { key: keys[0]!, step: list.data.tables.filter((t) => t.key === keys[0]).at(-1)!.step };
  const steps = list.data.tables.filter((t) => t.key === current.key).map((t) => t.step);
  return (
    <div>
      <div className="toolbar">
        <label>
          Table{' '}
          <select
            aria-label="table key"
            value={current.key}
            onChange={(e) =>
              setSelected({ key: e.target.value, step: list.data!.tables.filter((t) => t.key === e.target.value).at(-1)!.step })
            }
          >
            {keys.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>{' '}
        <label>
          Step{' '}
          <select
            aria-label="table step"
            value={current.step}
            onChange={(e) => setSelected({ key: current.key, step: Number(e.target.value) })}
          >
            {steps.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <TableView key={`${current.key}@${current.step}`} org={org} project={project} run={run} tableKey={current.key} step={current.step} />
    </div>
  );
}

function TableView({ org, project, run, tableKey, step }: { org: string; project: string; run: string; tableKey: string; step: number }) {
  const [sort, setSort] = useState<string>();
  const [filter, setFilter] = useState('');
  const [draft, setDraft] = useState('');
  const [offset, setOffset] = useState(0);
  const [showStats, setShowStats] = useState(false);
  const page = useResource<TableRows>(
    `${paths.runTableRows(org, project, run, tableKey)}${query({ step, sort, filter, limit: PAGE, offset })}`,
  );
  const stats = useResource<TableStats>(showStats ? `${paths.runTableStats(org, project, run, tableKey)}${query({ step, filter })}` : null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setOffset(0);
    setFilter(draft.trim());
  };
  return (
    <div>
      <form className="toolbar" onSubmit={submit}>
        <input
          aria-label="filter rows"
          className="grow"
          placeholder='filter, e.g. label = "cat" AND score > 0.5'
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit">Filter</button>
        <button type="button" onClick={() => setShowStats((v) => !v)} aria-pressed={showStats}>
          Column statistics
        </button>
      </form>
      <ErrorBox error={page.error} />
      {page.data && (
        <>
          <Pager offset={offset} size={PAGE} total={page.data.matchedRows} onChange={setOffset} />
          <TableGrid
            label={`table ${tableKey}`}
            columns={page.data.table.columns}
            rows={page.data.rows}
            media={page.data.media}
            annotations={page.data.annotations}
            sort={sort}
            onSort={(s) => {
              setSort(s);
              setOffset(0);
            }}
          />
        </>
      )}
      {!page.data && !page.error && <Loading what="Loading rows" />}
      {showStats && <StatsView stats={stats.data} error={stats.error} />}
    </div>
  );
}

function StatsView({ stats, error }: { stats: TableStats | undefined; error: Parameters<typeof ErrorBox>[0]['error'] }) {
  if (error) return <ErrorBox error={error} />;
  if (!stats) return <Loading what="Computing statistics" />;
  const top = (c: TableColumnStats) => c.top.map((t) => `${t.value === null ? '—' : String(t.value)} (${t.count})`).join(', ');
  return (
    <table className="grid" aria-label="column statistics">
      <thead>
        <tr>
          <th>Column</th>
          <th>Type</th>
          <th className="num">Nulls</th>
          <th className="num">Distinct</th>
          <th className="num">Min</th>
          <th className="num">Max</th>
          <th className="num">Mean</th>
          <th>Most frequent</th>
        </tr>
      </thead>
      <tbody>
        {stats.columns.map((c) => (
          <tr key={c.name}>
            <td>
              <code>{c.name}</code>
            </td>
            <td>{c.type}</td>
            <td className="num">{c.nulls}</td>
            <td className="num">{c.distinct}</td>
            <td className="num">{formatValue(c.min)}</td>
            <td className="num">{formatValue(c.max)}</td>
            <td className="num">{c.mean === undefined ? '' : formatValue(c.mean)}</td>
            <td>{top(c)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
