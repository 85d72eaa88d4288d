import type { MediaGrid, MediaKeys, StoredMedia } from '@trackbase/contracts';
import { paths } from '@trackbase/contracts';
import { useEffect, useMemo, useRef, useState } from 'react';
import { get, post } from '../../api/client';
import { ErrorBox } from '../ui';
import { ClassToggles, classesOf, ImageView, type HiddenClasses } from './ImageView';
import { ConfusionMatrixView, CurvesOverlay, HistogramHeatmap } from './MediaCharts';
import { Markdown } from '../../markdown/Markdown';
import { DocumentView } from './Sandboxed';
import { loadFullSeries, loadNames, type Line } from '../../charts/series-store';
import { axisValue, formatX, mediaStepsOf, parseAxis, placeSteps, positionsOf, stepAt, type MediaAxis } from './media-axis';

/**
 * Grid answers by request (runs, keys, step), kept a minute. The server signs media URLs per window
 * of time (the same object keeps one URL) and serves them `immutable`, so a grid answered again names
 * the images the browser holds already: a slider moved back to a step it showed costs no image request.
 */
const GRID_TTL_MS = 60_000;
const GRID_CACHE_SIZE = 200;
type GridCache = Map<string, { at: number; answer: Promise<MediaGrid> }>;

function cachedGrid(cache: GridCache, org: string, project: string, body: object): Promise<MediaGrid> {
  const id = JSON.stringify([org, project, body]);
  const hit = cache.get(id);
  if (hit && Date.now() - hit.at < GRID_TTL_MS) return hit.answer;
  const answer = post<MediaGrid>(paths.mediaGrid(org, project), body);
  cache.delete(id);
  cache.set(id, { at: Date.now(), answer });
  answer.catch(() => cache.delete(id));
  while (cache.size > GRID_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return answer;
}

/**
 * Images fetched ahead of the slider, by URL, the most recent last. Held (a thumbnail is small) so the
 * browser keeps them in its memory cache until the slider gets there; a URL held is not fetched again.
 */
const preloaded = new Map<string, HTMLImageElement>();
const PRELOADED_SIZE = 1_000;

/** Fetches what the grid's images show (thumbnails, masks) so the browser has them when the slider gets there. */
function preload(grid: MediaGrid) {
  const fetchImage = (url: string, cors: boolean) => {
    const held = preloaded.get(url);
    preloaded.delete(url);
    if (held) return void preloaded.set(url, held);
    const image = new window.Image();
    if (cors) image.crossOrigin = 'anonymous'; // as MaskCanvas asks for it, so the cached answer serves it
    image.onerror = () => preloaded.delete(url);
    image.src = url;
    preloaded.set(url, image);
    while (preloaded.size > PRELOADED_SIZE) preloaded.delete(preloaded.keys().next().value!);
  };
  for (const cell of grid.cells)
    for (const item of cell.items) {
      if (item.type !== 'image') continue;
      const src = item.thumbnailUrl ?? item.url;
      if (src) fetchImage(src, false);
      for (const mask of Object.values(item.masks ?? {})) fetchImage(mask.url, true);
    }
}

export interface PanelRun {
  id: string;
  key: string;
}

/** All steps of a histogram key for one run, for its heatmap. */
function useSeries(org: string, project: string, runId: string, key: string, enabled: boolean) {
  const [items, setItems] = useState<StoredMedia[]>([]);
  useEffect(() => {
    if (!enabled) return;
    get<{ items: StoredMedia[] }>(`${paths.runMedia(org, project, runId)}?key=${encodeURIComponent(key)}&limit=500`)
      .then((r) => setItems(r.items))
      .catch(() => setItems([]));
  }, [org, project, runId, key, enabled]);
  return items;
}

function HistogramCell({
  org,
  project,
  runId,
  cellKey,
  step,
  label,
}: {
  org: string;
  project: string;
  runId: string;
  cellKey: string;
  step: number | null;
  label: string;
}) {
  const items = useSeries(org, project, runId, cellKey, true);
  return <HistogramHeatmap items={items} current={step} label={label} />;
}

function Cell(props: {
  org: string;
  project: string;
  run: PanelRun;
  items: StoredMedia[];
  step: number | null;
  cellKey: string;
  hidden: HiddenClasses;
  open: (item: StoredMedia) => void;
}) {
  const { org, project, run, items, step, cellKey, hidden, open } = props;
  if (step === null || !items.length) return <span className="muted">—</span>;
  const type = items[0]!.type;
  if (type === 'histogram')
    return <HistogramCell org={org} project={project} runId={run.id} cellKey={cellKey} step={step} label={`${run.key} ${cellKey}`} />;
  return (
    <div className="media-items">
      {items.map((item) => {
        const label = `${run.key} ${item.key}`;
        switch (item.type) {
          case 'image':
            return <ImageView key={item.index} item={item} hidden={hidden} onOpen={() => open(item)} />;
          case 'audio':
            return <audio key={item.index} controls src={item.url ?? undefined} aria-label={label} />;
          case 'video':
            return item.contentType === 'image/gif' ? (
              <img key={item.index} src={item.url ?? undefined} alt={label} className="media-gif" />
            ) : (
              <video key={item.index} controls src={item.url ?? undefined} aria-label={label} className="media-video" />
            );
          case 'markdown':
            // The one sanitised renderer of user-written Markdown (raw HTML in it cannot act).
            return <Markdown key={item.index} text={String(item.data?.text ?? '')} />;
          case 'html':
          case 'figure':
            return <DocumentView key={item.index} org={org} project={project} runId={run.id} item={item} />;
          case 'confusion_matrix':
            return <ConfusionMatrixView key={item.index} data={item.data ?? {}} label={label} />;
          case 'roc_curve':
          case 'pr_curve':
            return <CurvesOverlay key={item.index} title={label} kind={item.type} entries={[{ label: run.key, item }]} />;
          default:
            return null;
        }
      })}
    </div>
  );
}

/**
 * Media of one run or many: a grid of runs × keys at one step, the step
 * chosen on one slider that moves every run shown (each shows its latest
 * step at or before it), with box and mask toggles per class, a lightbox,
 * and ROC/PR curves of all runs overlaid.
 */
export function MediaPanel({
  org,
  project,
  runs,
  axis: savedAxis,
  onAxisChange,
}: {
  org: string;
  project: string;
  runs: PanelRun[];
  /** The slider's x axis as kept in the page's layout (`step`, `time`, `relative`, `metric:<name>`); kept internally when omitted. */
  axis?: string;
  onAxisChange?: (axis: string) => void;
}) {
  const [keys, setKeys] = useState<MediaKeys[]>();
  const [error, setError] = useState<Error>();
  const [grid, setGrid] = useState<MediaGrid>();
  const [position, setPosition] = useState<number>();
  const [hidden, setHidden] = useState<HiddenClasses>(new Set());
  const [lightbox, setLightbox] = useState<StoredMedia>();
  const [ownAxis, setOwnAxis] = useState<MediaAxis>(() => parseAxis(savedAxis ?? 'step'));
  const axis = useMemo(() => (onAxisChange ? parseAxis(savedAxis ?? 'step') : ownAxis), [onAxisChange, savedAxis, ownAxis]);
  const setAxis = (next: MediaAxis) => (onAxisChange ? onAxisChange(axisValue(next)) : setOwnAxis(next));
  const [metricNames, setMetricNames] = useState<string[]>([]);
  const [metricLines, setMetricLines] = useState<Map<string, Line>>();
  const runIds = runs.map((r) => r.id).join(',');
  const gridCache = useRef<GridCache>(new Map());

  useEffect(() => {
    Promise.all(runs.map((r) => get<MediaKeys>(paths.runMediaKeys(org, project, r.id))))
      .then(setKeys)
      .catch(setError);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [org, project, runIds]);

  useEffect(() => {
    loadNames(
      org,
      project,
      runs.map((r) => r.id),
      'metric',
    )
      .then((s) => setMetricNames(s.names))
      .catch(() => setMetricNames([]));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [org, project, runIds]);

  useEffect(() => {
    setMetricLines(undefined);
    if (axis.kind !== 'metric') return;
    loadFullSeries(
      org,
      project,
      runs.map((r) => r.id),
      axis.name,
    )
      .then(setMetricLines)
      .catch(setError);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [org, project, runIds, axisValue(axis)]);

  const allKeys = useMemo(() => [...new Set((keys ?? []).flatMap((k) => k.keys.map((x) => x.key)))].sort(), [keys]);
  // Every run's media steps placed on the axis; the slider's positions are every x any run has media at.
  const placed = useMemo(() => {
    const out = new Map<string, Array<{ x: number; step: number }>>();
    if (axis.kind === 'metric' && !metricLines) return out;
    for (const k of keys ?? []) out.set(k.runId, placeSteps(mediaStepsOf(k), axis, metricLines?.get(k.runId)));
    return out;
  }, [keys, axis, metricLines]);
  const xs = useMemo(() => positionsOf(placed.values()), [placed]);
  const at = xs.length ? Math.min(position ?? xs.length - 1, xs.length - 1) : undefined;
  const x = at === undefined ? undefined : xs[at]!;
  // On the step axis one step for all; on another axis each run's own latest step at or before the slider's x.
  const targetOf = (value: number | undefined) => {
    if (value === undefined) return {};
    if (axis.kind === 'step') return { step: value };
    return { runSteps: Object.fromEntries(runs.map((r) => [r.id, stepAt(placed.get(r.id) ?? [], value)])) };
  };
  const target = useMemo(
    () => targetOf(x),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [x, axis, placed, runIds],
  );
  const targetKey = JSON.stringify(target);

  useEffect(() => {
    if (!allKeys.length) return;
    if (axis.kind === 'metric' && !metricLines) return;
    const bodyAt = (t: object) => ({ runs: runs.map((r) => r.id), keys: allKeys.slice(0, 50), ...t });
    let current = true;
    cachedGrid(gridCache.current, org, project, bodyAt(target))
      .then((answer) => {
        if (!current) return;
        setGrid(answer);
        // The neighbouring positions, fetched ahead: a slider moved one step finds its grid and images here.
        if (at === undefined) return;
        for (const next of [at + 1, at - 1])
          if (next >= 0 && next < xs.length)
            cachedGrid(gridCache.current, org, project, bodyAt(targetOf(xs[next])))
              .then(preload)
              .catch(() => undefined);
      })
      .catch((e: Error) => current && setError(e));
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [org, project, runIds, allKeys.join('\u0000'), targetKey]);

  useEffect(() => {
    if (!lightbox) return;
    const close = (e: KeyboardEvent) => e.key === 'Escape' && setLightbox(undefined);
    window.addEventListener('keydown', close);
    return () => window.removeEventListener('keydown', close);
  }, [lightbox]);

  const cell = (runId: string, key: string) => grid?.cells.find((c) => c.runId === runId && c.key === key);
  const classes = useMemo(() => classesOf((grid?.cells ?? []).flatMap((c) => c.items)), [grid]);
  const curveKeys = allKeys.filter((k) =>
    (grid?.cells ?? []).some((c) => c.key === k && (c.items[0]?.type === 'roc_curve' || c.items[0]?.type === 'pr_curve')),
  );
  const gridKeys = allKeys.filter((k) => !curveKeys.includes(k));

  if (error) return <ErrorBox error={error} />;
  if (!keys) return <p className="muted">Loading media…</p>;
  if (!allKeys.length)
    return (
      <p className="muted">
        No media logged yet. Log images, histograms or charts with a step: run.log(&#123;"samples": trackbase.Image(array)&#125;,
        step=step).
      </p>
    );
  return (
    <div className="media-panel">
      <div className="media-slider">
        <label>
          X axis{' '}
          <select
            aria-label="Media x axis"
            value={axisValue(axis)}
            onChange={(e) => {
              setAxis(parseAxis(e.target.value));
              setPosition(undefined);
            }}
          >
            <option value="step">step</option>
            <option value="time">wall time</option>
            <option value="relative">relative time</option>
            {metricNames.map((name) => (
              <option key={name} value={`metric:${name}`}>
                {name}
              </option>
            ))}
          </select>
        </label>
        {x !== undefined && (
          <label>
            {axis.kind === 'metric' ? axis.name : axis.kind === 'step' ? 'Step' : axis.kind === 'time' ? 'Wall time' : 'Time'}{' '}
            <strong data-testid="media-step">{formatX(axis, x)}</strong>
            <input
              type="range"
              aria-label="step"
              min={0}
              max={xs.length - 1}
              value={at}
              onChange={(e) => setPosition(Number(e.target.value))}
            />
            <span className="muted">
              {formatX(axis, xs[0]!)} – {formatX(axis, xs.at(-1)!)} ({xs.length} positions)
            </span>
          </label>
        )}
        {axis.kind === 'metric' && metricLines && !xs.length && (
          <span className="muted">No media step of these runs has a value of {axis.name} at or before it.</span>
        )}
      </div>
      <ClassToggles classes={classes} hidden={hidden} onChange={setHidden} />
      {gridKeys.length > 0 && (
        <table className="media-grid" aria-label="Media">
          <thead>
            <tr>
              <th>Run</th>
              {gridKeys.map((k) => (
                <th key={k}>{k}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} data-run={run.key}>
                <th>{run.key}</th>
                {gridKeys.map((k) => {
                  const c = cell(run.id, k);
                  return (
                    <td key={k} data-key={k} data-step={c?.step ?? ''}>
                      {c?.step !== null && c?.step !== undefined && (axis.kind !== 'step' || c.step !== x) && (
                        <div className="muted">step {c.step}</div>
                      )}
                      <Cell
                        org={org}
                        project={project}
                        run={run}
                        items={c?.items ?? []}
                        step={c?.step ?? null}
                        cellKey={k}
                        hidden={hidden}
                        open={setLightbox}
                      />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="curves-row">
        {curveKeys.map((k) => {
          const entries = runs.flatMap((run) => {
            const item = cell(run.id, k)?.items[0];
            return item ? [{ label: run.key, item }] : [];
          });
          return entries.length ? (
            <CurvesOverlay key={k} title={k} kind={entries[0]!.item.type as 'roc_curve' | 'pr_curve'} entries={entries} />
          ) : null;
        })}
      </div>
      {lightbox && (
        <div className="lightbox" role="dialog" aria-label="Image" onClick={() => setLightbox(undefined)}>
          <div onClick={(e) => e.stopPropagation()}>
            <button onClick={() => setLightbox(undefined)}>Close</button>
            <ImageView item={lightbox} hidden={hidden} full />
            <p className="muted">
              {lightbox.key} · step {lightbox.step} · #{lightbox.index} · {lightbox.width}×{lightbox.height}
            </p>
          </div>
        </div>
      )}
    </div>
  );
}
