import type { PanelBlock, ReportData } from '@trackbase/contracts';
import { fromWireFloat, panelTitle } from '@trackbase/contracts';
import { useEffect, useMemo, useRef, useState } from 'react';
import { runColor } from '../charts/palette';
import { LineChart, type ChartLine } from '../components/Chart';
import { ErrorBox, formatValue, Loading } from '../components/ui';
import { ReportMediaView } from './ReportMediaView';
import { ParallelView, ScatterView } from './SummaryViews';
import { useShareFollow } from '../live/socket';

/** Loads one panel's data (the report API for members, the share-link API for a token). */
export type PanelLoader = (block: string, options?: { step?: number }) => Promise<ReportData>;

/** While any run of a live panel is running its data is read again this often. */
const LIVE_INTERVAL_MS = 5_000;
/** With a share link's socket, pushed points make the panel read again at most this often. */
const PUSHED_REFRESH_MS = 1_000;
const DASHES = [undefined, [6, 4], [2, 3], [10, 3, 2, 3]];

/**
 * A panel of a report: a line chart of its metrics against steps, or its runs
 * side by side. Data comes only through `load` (the run set the report names,
 * never a project's API), and is read again while its runs are running unless
 * the panel is frozen.
 */
export function ReportPanel({
  block,
  load,
  live = true,
  shareToken,
}: {
  block: PanelBlock;
  load: PanelLoader;
  live?: boolean;
  /** On a share-link page: points are pushed over a socket opened with the link's token, instead of polling. */
  shareToken?: string;
}) {
  const [data, setData] = useState<ReportData>();
  const [error, setError] = useState<Error>();
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(block);

  useEffect(() => {
    let cancelled = false;
    load(block.id).then(
      (d) => {
        if (cancelled) return;
        setData(d);
        setError(undefined);
      },
      (e: Error) => !cancelled && setError(e),
    );
    return () => {
      cancelled = true;
    };
    // The block's content (not its identity) decides what to load.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, load, tick]);

  const running = !!data?.runs.some((r) => r.state === 'running');
  const frozen = !!block.freeze?.atPublication || block.freeze?.step !== undefined;
  const pushed = live && !frozen && !!shareToken;
  const refresh = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => clearTimeout(refresh.current ?? undefined), []);
  useShareFollow(pushed ? shareToken : undefined, data ? data.runs.map((r) => r.id) : null, {
    onPoints: () => {
      if (refresh.current) return;
      refresh.current = setTimeout(() => {
        refresh.current = null;
        setTick((t) => t + 1);
      }, PUSHED_REFRESH_MS);
    },
    // The link was revoked or expired: read again, which answers why.
    onEnded: () => setTick((t) => t + 1),
  });
  useEffect(() => {
    if (pushed || !live || !running || (frozen && data?.cutoffStep !== null)) return;
    const timer = setTimeout(() => setTick((t) => t + 1), LIVE_INTERVAL_MS);
    return () => clearTimeout(timer);
  }, [pushed, live, running, frozen, data]);

  const title = panelTitle(block);
  return (
    <figure className="report-panel" data-type={block.type} aria-label={`Panel ${title}`}>
      <figcaption className="panel-title">{title}</figcaption>
      <ErrorBox error={error} />
      {!data && !error && <Loading what="Loading panel" />}
      {data && data.runs.length === 0 && <p className="muted">No runs in this panel's run set.</p>}
      {data &&
        data.runs.length > 0 &&
        (block.type === 'line' ? (
          <LinePanelView block={block} data={data} />
        ) : block.type === 'runs' ? (
          <RunsTableView block={block} data={data} />
        ) : block.type === 'scatter' ? (
          <ScatterView block={block} data={data} />
        ) : block.type === 'parallel' ? (
          <ParallelView block={block} data={data} />
        ) : (
          <ReportMediaView block={block} first={data} load={load} />
        ))}
    </figure>
  );
}

function LinePanelView({ block, data }: { block: Extract<PanelBlock, { type: 'line' }>; data: ReportData }) {
  const lines = useMemo<ChartLine[]>(
    () =>
      data.series.map((s) => {
        const run = data.runs[s.run]!;
        const dash = DASHES[Math.max(0, block.metrics.indexOf(s.name)) % DASHES.length];
        return {
          id: `${run.id}:${s.name}`,
          label: block.metrics.length > 1 ? `${run.name || run.key} · ${s.name}` : run.name || run.key,
          color: runColor({ id: run.id }),
          x: s.steps,
          y: s.values.map(fromWireFloat),
          ...(dash ? { dash } : {}),
        };
      }),
    [block.metrics, data],
  );
  if (!lines.length) return <p className="muted">No points logged for {block.metrics.join(', ')} yet.</p>;
  return <LineChart title={block.title || block.metrics.join(', ')} lines={lines} xKind="step" height={240} />;
}

function RunsTableView({ block, data }: { block: Extract<PanelBlock, { type: 'runs' }>; data: ReportData }) {
  const params = useMemo(() => [...new Set(data.runs.flatMap((r) => Object.keys(r.params)))].sort(), [data.runs]);
  const last = (run: number, metric: string) => {
    const s = data.series.find((x) => x.run === run && x.name === metric);
    const v = s?.values[s.values.length - 1] ?? s?.last;
    return v === undefined || v === null ? undefined : fromWireFloat(v);
  };
  return (
    <div className="table-scroll">
      <table className="grid" aria-label="Runs">
        <thead>
          <tr>
            <th>Run</th>
            <th>State</th>
            {params.map((p) => (
              <th key={p}>{p}</th>
            ))}
            {block.metrics.map((m) => (
              <th key={m}>{m}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.runs.map((run, i) => (
            <tr key={run.id}>
              <td>
                <i className="swatch" style={{ background: runColor({ id: run.id }) }} />
                {run.name || run.key}
              </td>
              <td>{run.state}</td>
              {params.map((p) => (
                <td key={p}>{formatValue(run.params[p])}</td>
              ))}
              {block.metrics.map((m) => (
                <td key={m}>{formatValue(last(i, m))}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
