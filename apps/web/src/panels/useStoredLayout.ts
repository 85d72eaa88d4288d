import { useCallback, useState } from 'react';
import { parseLayout, type PanelLayout, type PanelSettings } from './layout';

/** A layout kept in this browser under a key, for pages without saved views (run page, compare page, a project before a view is saved). */
export function useStoredLayout(
  key: string,
  initial?: { settings?: Partial<PanelSettings> },
): [PanelLayout, (layout: PanelLayout) => void] {
  const storageKey = `trackbase.panels.${key}`;
  const [layout, setState] = useState<PanelLayout>(() => {
    try {
      const raw = localStorage.getItem(storageKey);
      if (raw) return parseLayout(JSON.parse(raw));
    } catch {
      /* unreadable: start from defaults */
    }
    const base = parseLayout(null);
    return { ...base, settings: { ...base.settings, ...initial?.settings } };
  });
  const set = useCallback(
    (next: PanelLayout) => {
      setState(next);
      try {
        localStorage.setItem(storageKey, JSON.stringify(next));
      } catch {
        /* storage full or disabled: the layout lasts for this page */
      }
    },
    [storageKey],
  );
  return [layout, set];
}
