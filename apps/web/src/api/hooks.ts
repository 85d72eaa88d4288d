import { useCallback, useEffect, useRef, useState } from 'react';
import { TrackbaseApiError } from '@trackbase/sdk/client';
import { get } from './client';

export interface Resource<T> {
  data: T | undefined;
  error: TrackbaseApiError | undefined;
  loading: boolean;
  reload: () => void;
  setData: (update: (current: T | undefined) => T | undefined) => void;
}

/** Loads `path` (skips when null) and reloads when it changes. */
export function useResource<T>(path: string | null): Resource<T> {
  const [data, setState] = useState<T>();
  const [error, setError] = useState<TrackbaseApiError>();
  const [loading, setLoading] = useState(!!path);
  const [version, setVersion] = useState(0);
  const current = useRef(path);
  current.current = path;

  useEffect(() => {
    if (!path) return;
    let cancelled = false;
    setLoading(true);
    get<T>(path)
      .then((value) => {
        if (cancelled) return;
        setState(value);
        setError(undefined);
      })
      .catch(
        (e: unknown) =>
          !cancelled &&
          setError(
            e instanceof TrackbaseApiError ? e : new TrackbaseApiError(0, 'network_error', e instanceof Error ? e.message : String(e)),
          ),
      )
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [path, version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  const setData = useCallback((update: (current: T | undefined) => T | undefined) => setState((c) => update(c)), []);
  return { data, error, loading, reload, setData };
}
