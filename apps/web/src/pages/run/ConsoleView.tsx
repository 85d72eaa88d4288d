import type { SeriesData } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { useState } from 'react';
import { useResource } from '../../api/hooks';
import { Empty, ErrorBox } from '../../components/ui';

export function ConsoleView({ org, project, run }: { org: string; project: string; run: string }) {
  const [search, setSearch] = useState('');
  const path = `${paths.runSeries(org, project, run)}?kind=text&maxPoints=5000${search ? `&search=${encodeURIComponent(search)}` : ''}`;
  const text = useResource<SeriesData[]>(path);
  return (
    <div>
      <label>
        Search output <input value={search} onChange={(e) => setSearch(e.target.value)} />
      </label>
      <ErrorBox error={text.error} />
      {text.data?.length === 0 && <Empty>No console output captured.</Empty>}
      {text.data?.map((s) => (
        <section key={s.name}>
          <h3>{s.name}</h3>
          <pre className="console">{(s.lines ?? []).join('\n')}</pre>
        </section>
      ))}
    </div>
  );
}
