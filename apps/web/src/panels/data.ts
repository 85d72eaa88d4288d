import { useEffect, useMemo, useRef, useState } from 'react';
import { loadNames, loadSummaries, SeriesStore, type Line, type SeriesSummary } from '../charts/series-store';
import { useFollow } from '../live/socket';

export interface PanelRun {
  id: string;
  key: string;
  name: string;
  number?: number;
  state?: string;
  /** Table columns of the run (params and summaries the table shows), used for grouping. */
  columns?: Record<string, unknown>;
  tags?: string[];
}

export interface AreaData {
  store: SeriesStore;
  /** The runs with ids resolved (runs given by key only get theirs from the server), unknown ones left out. */
  runs: PanelRun[];
  names: string[];
  /** Last values of the metrics summary panels draw (`summaryNames`), per run. */
  summaries: Map<string, Map<string, number | null>>;
  /** Whether `summaries` answers for the current runs and names. */
  summariesLoaded: boolean;
  params: Map<string, Record<string, unknown>>;
  paramNames: string[];
  loading: boolean;
  error?: Error;
}

/**
 * Runs' series names and params (one request), the last values of `summaryNames` (another), a store for
 * their points (with wall times when `times`), and live refreshes by cursor.
 */
export function useAreaData(
  org: string,
  project: string,
  runs: PanelRun[],
  kind: 'metric' | 'system',
  maxPoints: number,
  live: boolean,
  options: { times: boolean; summaryNames: string[] },
): AreaData {
  const { times } = options;
  const store = useMemo(() => new SeriesStore(org, project, kind, maxPoints, times), [org, project, kind, maxPoints, times]);
  useEffect(() => () => store.close(), [store]);
  const refs = useMemo(() => runs.map((r) => r.id || r.key), [runs]);
  const refKey = refs.join(',');
  const [state, setState] = useState<{
    names: string[];
    params: Map<string, Record<string, unknown>>;
    ids: Map<string, string>;
    loading: boolean;
    error?: Error;
  }>({ names: [], params: new Map(), ids: new Map(), loading: true });
  const resolved = useMemo(
    () => runs.map((r) => ({ ...r, id: r.id || state.ids.get(r.key) || '' })).filter((r) => r.id),
    [runs, state.ids],
  );
  const ids = useMemo(() => resolved.map((r) => r.id), [resolved]);
  const idKey = ids.join(',');
  useEffect(() => store.setRuns(ids), [store, ids]);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setState((s) => ({ ...s, loading: true }));
    loadNames(org, project, refs, kind)
      .then((r) => !cancelled && setState({ ...r, loading: false }))
      .catch((error: Error) => !cancelled && setState((s) => ({ ...s, loading: false, error })));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store, refKey, version]);

  // Summaries only for the metrics summary panels draw, once the runs' ids are known.
  const summaryKey = [...new Set(options.summaryNames)].sort().join('\u0000');
  const [lastValues, setLastValues] = useState<{ key: string; list: SeriesSummary[] }>({ key: '', list: [] });
  useEffect(() => {
    let cancelled = false;
    const names = summaryKey ? summaryKey.split('\u0000') : [];
    const key = `${idKey}|${summaryKey}`;
    loadSummaries(org, project, ids, kind, names)
      .then((list) => !cancelled && setLastValues({ key, list }))
      .catch(() => !cancelled && setLastValues({ key, list: [] }));
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [org, project, idKey, kind, summaryKey, version]);

  // Live: a points event schedules one refresh by cursor (new points only); new series names reload the summaries.
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const known = useRef(new Set<string>());
  known.current = new Set(state.names);
  useFollow(live && ids.length ? { org, project, runs: ids.slice(0, 200) } : null, {
    onPoints: (event) => {
      if (event.series.some((s) => s.kind === kind && !known.current.has(s.name))) setVersion((v) => v + 1);
      if (pending.current) return;
      pending.current = setTimeout(() => {
        pending.current = undefined;
        void store.refresh().catch(() => undefined);
      }, 1_000);
    },
  });
  useEffect(() => () => clearTimeout(pending.current), []);

  return useMemo(() => {
    const summaries = new Map<string, Map<string, number | null>>();
    for (const s of lastValues.list) {
      if (!summaries.has(s.name)) summaries.set(s.name, new Map());
      summaries.get(s.name)!.set(s.runId, s.last);
    }
    const paramNames = new Set<string>();
    for (const p of state.params.values()) for (const k of Object.keys(p)) paramNames.add(k);
    return {
      store,
      runs: resolved,
      names: state.names,
      summariesLoaded: lastValues.key === `${idKey}|${summaryKey}` && !!idKey,
      summaries,
      params: state.params,
      paramNames: [...paramNames].sort(),
      loading: state.loading,
      error: state.error,
    };
  }, [store, state, resolved, lastValues, idKey, summaryKey]);
}

/** Re-renders when any of `names` changes in the store, and asks the store for them. */
export function useLines(store: SeriesStore, names: string[], enabled: boolean): Array<Map<string, Line> | undefined> {
  const [, setTick] = useState(0);
  const key = names.join('\u0000');
  useEffect(() => {
    if (!enabled) return;
    const wanted = new Set(names);
    const unsubscribe = store.subscribe((changed) => {
      for (const n of changed) if (wanted.has(n)) return setTick((t) => t + 1);
    });
    store.request(names);
    return unsubscribe;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store, key, enabled]);
  return names.map((n) => store.get(n));
}

/** A run's value for a grouping field: a table column, a param (`params.x`), a tag list or a run attribute. */
export function groupValue(run: PanelRun, params: Record<string, unknown> | undefined, field: string): string {
  if (run.columns && field in run.columns) return String(run.columns[field] ?? '—');
  if (field.startsWith('params.')) {
    const v = params?.[field.slice(7)];
    return v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v);
  }
  if (field === 'tags') return (run.tags ?? []).join(', ') || '—';
  const v = (run as unknown as Record<string, unknown>)[field];
  return v === undefined ? '—' : String(v);
}
