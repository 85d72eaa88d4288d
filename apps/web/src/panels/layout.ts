import type { Band } from '../charts/stats';

/**
 * The layout of a panel area, serialisable as JSON (the `panels` field of a
 * saved view). Sections hold panels; sections not in the layout are derived
 * from the metric names (one line panel per metric, grouped by the prefix
 * before the first `/`) and become explicit once edited.
 */
export type XAxisChoice = 'step' | 'time' | 'relative' | 'metric';
export type Summary = 'last';

interface PanelBase {
  id: string;
  title?: string;
  /** Columns of a 12-column grid the panel spans (3 to 12). */
  w: number;
  /** Height in pixels of the plot. */
  h: number;
}

export type Panel =
  | (PanelBase & { type: 'line'; metrics: string[]; x: XAxisChoice; xMetric?: string })
  | (PanelBase & { type: 'scatter'; param: string; metric: string })
  | (PanelBase & { type: 'bar'; metric: string })
  | (PanelBase & { type: 'parallel'; params: string[]; metric: string })
  | (PanelBase & { type: 'importance'; metric: string });

export type PanelType = Panel['type'];

export interface Section {
  id: string;
  name: string;
  panels: Panel[];
}

export interface PanelSettings {
  smoothing: { kind: 'none' | 'ema' | 'mean'; amount: number };
  log: boolean;
  robust: boolean;
  band: Band;
  x: XAxisChoice;
}

export interface PanelLayout {
  version: 1;
  sections: Section[];
  /** Section names (explicit or derived) that are collapsed. */
  collapsed: string[];
  /** Derived sections that were removed. */
  hidden: string[];
  settings: PanelSettings;
  /** The media panel beside the charts: its slider's x axis (`step`, `time`, `relative`, `metric:<name>`). */
  media?: { axis: string };
}

export const DEFAULT_LAYOUT: PanelLayout = {
  version: 1,
  sections: [],
  collapsed: [],
  hidden: [],
  settings: { smoothing: { kind: 'none', amount: 0 }, log: false, robust: true, band: 'std', x: 'step' },
};

export const PANEL_WIDTHS = [3, 4, 6, 8, 12] as const;
export const DEFAULT_PANEL = { w: 4, h: 200 };

let counter = 0;
export function panelId(): string {
  counter++;
  return `p${Date.now().toString(36)}${counter.toString(36)}`;
}

/** A layout read from JSON (a saved view, the URL, storage): anything malformed falls back to defaults, field by field. */
export function parseLayout(value: unknown): PanelLayout {
  if (!value || typeof value !== 'object') return DEFAULT_LAYOUT;
  const v = value as Partial<PanelLayout>;
  const strings = (a: unknown) => (Array.isArray(a) ? a.filter((x): x is string => typeof x === 'string') : []);
  const sections = Array.isArray(v.sections)
    ? v.sections
        .filter((s): s is Section => !!s && typeof s.name === 'string' && Array.isArray(s.panels))
        .map((s) => ({ id: String(s.id ?? panelId()), name: s.name, panels: s.panels.filter(isPanel).map(clampPanel) }))
    : [];
  return {
    version: 1,
    sections,
    collapsed: strings(v.collapsed),
    hidden: strings(v.hidden),
    settings: { ...DEFAULT_LAYOUT.settings, ...(v.settings && typeof v.settings === 'object' ? v.settings : {}) },
    ...(v.media && typeof v.media === 'object' && typeof v.media.axis === 'string' && v.media.axis.length <= 300
      ? { media: { axis: v.media.axis } }
      : {}),
  };
}

function isPanel(p: unknown): p is Panel {
  if (!p || typeof p !== 'object') return false;
  const t = (p as Panel).type;
  return t === 'line' || t === 'scatter' || t === 'bar' || t === 'parallel' || t === 'importance';
}

function clampPanel(p: Panel): Panel {
  return {
    ...p,
    id: String(p.id ?? panelId()),
    w: Math.min(12, Math.max(3, Number(p.w) || 4)),
    h: Math.min(800, Math.max(120, Number(p.h) || 200)),
  };
}

/** Namespace of a metric: `train/loss` → `train`; names without a slash go to `metrics`. */
export function namespaceOf(name: string): string {
  const i = name.indexOf('/');
  return i > 0 ? name.slice(0, i) : 'metrics';
}

/** Metrics a panel draws (for loading and search). */
export function panelMetrics(p: Panel): string[] {
  if (p.type === 'line') return p.x === 'metric' && p.xMetric ? [...p.metrics, p.xMetric] : p.metrics;
  return [];
}

export function panelTitle(p: Panel): string {
  if (p.title) return p.title;
  switch (p.type) {
    case 'line':
      return p.metrics.join(', ') + (p.x === 'metric' && p.xMetric ? ` vs ${p.xMetric}` : '');
    case 'scatter':
      return `${p.metric} vs ${p.param}`;
    case 'bar':
      return p.metric;
    case 'parallel':
      return `parallel: ${p.params.join(', ')} → ${p.metric}`;
    case 'importance':
      return `importance for ${p.metric}`;
  }
}
