import { useMemo, useState } from 'react';
import { Empty, formatValue } from '../../components/ui';

export function ParamsView({ params }: { params: Record<string, unknown> }) {
  const [query, setQuery] = useState('');
  const entries = useMemo(
    () =>
      Object.entries(params)
        .filter(
          ([k, v]) => !query || k.toLowerCase().includes(query.toLowerCase()) || formatValue(v).toLowerCase().includes(query.toLowerCase()),
        )
        .sort(([a], [b]) => a.localeCompare(b)),
    [params, query],
  );
  if (!Object.keys(params).length) return <Empty>No parameters logged.</Empty>;
  return (
    <div>
      <label>
        Search parameters <input value={query} onChange={(e) => setQuery(e.target.value)} />
      </label>
      <table className="grid">
        <tbody>
          {entries.map(([k, v]) => (
            <tr key={k}>
              <td style={{ paddingLeft: `${(k.split('.').length - 1) * 1.2 + 0.5}rem` }}>
                <code>{k}</code>
              </td>
              <td>{formatValue(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
