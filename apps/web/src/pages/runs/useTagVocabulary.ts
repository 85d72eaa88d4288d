import type { RunList, RunRow } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { useMemo } from 'react';
import { useResource } from '../../api/hooks';

/**
 * The tags the tag filter offers: those of the runs shown, or, while a filter
 * hides some runs, those of the project's latest 1,000 runs (one extra request;
 * there is no endpoint listing a project's tags).
 */
export function useTagVocabulary(org: string, project: string, rows: RunRow[], filtered: boolean): string[] {
  const all = useResource<RunList>(filtered ? `${paths.runs(org, project)}?limit=1000` : null);
  const everywhere = filtered ? all.data?.items : undefined;
  return useMemo(() => [...new Set([...(everywhere ?? []), ...rows].flatMap((r) => r.tags))], [everywhere, rows]);
}
