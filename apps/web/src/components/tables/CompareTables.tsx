import type { CompareTables as CompareTablesAnswer, TableList } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { useState } from 'react';
import { useResource } from '../../api/hooks';
import { ErrorBox, Loading } from '../ui';
import { Pager, TableGrid } from './TableGrid';

const PAGE = 50;

/** One table key of the compared runs side by side, joined on a chosen column (the server joins; pages of 50). */
export function CompareTables({ org, project, runs }: { org: string; project: string; runs: string[] }) {
  const first = useResource<TableList>(runs.length >= 2 ? paths.runTables(org, project, runs[0]!) : null);
  const [key, setKey] = useState<string>();
  const [on, setOn] = useState<string>();
  const [offset, setOffset] = useState(0);
  const tables = first.data?.tables ?? [];
  const keys = [...new Set(tables.map((t) => t.key))];
  const currentKey = key ?? keys[0];
  const columns = tables.filter((t) => t.key === currentKey).at(-1)?.columns ?? [];
  const currentOn = on ?? columns[0]?.name;
  const compared = useResource<CompareTablesAnswer>(
    currentKey && currentOn
      ? `${paths.compareTables(org, project)}?${new URLSearchParams({ key: currentKey, runs: runs.join(','), on: currentOn, limit: String(PAGE), offset: String(offset) })}`
      : null,
  );
  if (runs.length < 2 || (first.data && !keys.length)) return null;
  return (
    <section aria-label="compare tables">
      <h2>Tables</h2>
      <ErrorBox error={first.error} />
      <div className="toolbar">
        <label>
          Table{' '}
          <select
            aria-label="compare table key"
            value={currentKey}
            onChange={(e) => {
              setKey(e.target.value);
              setOn(undefined);
              setOffset(0);
            }}
          >
            {keys.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>{' '}
        <label>
          Join on{' '}
          <select
            aria-label="join column"
            value={currentOn}
            onChange={(e) => {
              setOn(e.target.value);
              setOffset(0);
            }}
          >
            {columns.map((c) => (
              <option key={c.name}>{c.name}</option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={compared.error} />
      {compared.data ? (
        <>
          <Pager offset={offset} size={PAGE} total={compared.data.matchedRows} onChange={setOffset} />
          <TableGrid
            label={`compared table ${currentKey}`}
            columns={compared.data.columns.map((c) => ({ name: c.name, type: c.type, group: c.run }))}
            rows={compared.data.rows}
            media={compared.data.media}
            annotations={compared.data.annotations}
          />
        </>
      ) : (
        !compared.error && <Loading what="Joining tables" />
      )}
    </section>
  );
}
