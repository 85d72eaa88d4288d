import type { PanelBlock, ReportData, StoredMedia } from '@trackbase/contracts';
import { useEffect, useState } from 'react';
import { ImageView, type HiddenClasses } from '../components/media/ImageView';
import { ConfusionMatrixView, CurvesOverlay } from '../components/media/MediaCharts';
import { ErrorBox } from '../components/ui';
import { Markdown } from '../markdown/Markdown';
import type { PanelLoader } from './ReportPanel';

type MediaBlock = Extract<PanelBlock, { type: 'media' }>;
const NO_CLASSES: HiddenClasses = new Set();

function Item({ item, label }: { item: StoredMedia; label: string }) {
  switch (item.type) {
    case 'image':
      return <ImageView item={item} hidden={NO_CLASSES} />;
    case 'audio':
      return <audio controls src={item.url ?? undefined} aria-label={label} />;
    case 'video':
      return item.contentType === 'image/gif' ? (
        <img src={item.url ?? undefined} alt={label} className="media-gif" />
      ) : (
        <video controls src={item.url ?? undefined} aria-label={label} className="media-video" />
      );
    case 'markdown':
      return <Markdown text={String(item.data?.text ?? '')} />;
    case 'confusion_matrix':
      return <ConfusionMatrixView data={item.data ?? {}} label={label} />;
    case 'roc_curve':
    case 'pr_curve':
      return <CurvesOverlay title={label} kind={item.type} entries={[{ label, item }]} />;
    default:
      // Documents (HTML, figures) render in the run's sandbox, which reads the run's own API: a report shows their name.
      return <span className="muted">{`${item.type} ${item.key} #${item.index}`}</span>;
  }
}

/**
 * The media grid of a report panel: the run set's runs × the panel's keys at
 * one step, a slider over the steps logged (each run shows its latest step at
 * or before it). Data comes only through the panel's loader, so it works the
 * same for readers and share links, and stops at a frozen panel's cutoff.
 */
export function ReportMediaView({ block, first, load }: { block: MediaBlock; first: ReportData; load: PanelLoader }) {
  const [data, setData] = useState(first);
  const [position, setPosition] = useState<number>();
  const [error, setError] = useState<Error>();
  const steps = first.media?.steps ?? [];
  const index = position ?? Math.max(0, steps.indexOf(first.media?.step ?? -1));

  useEffect(() => setData(first), [first]);
  useEffect(() => {
    if (position === undefined) return;
    let cancelled = false;
    load(block.id, { step: steps[position] }).then(
      (d) => !cancelled && (setData(d), setError(undefined)),
      (e: Error) => !cancelled && setError(e),
    );
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [position, block.id, load]);

  const cells = new Map((data.media?.cells ?? []).map((c) => [`${c.runId}\u0000${c.key}`, c]));
  return (
    <div className="report-media">
      {steps.length > 1 && (
        <label className="toolbar small">
          Step
          <input
            type="range"
            aria-label={`Step of panel ${block.id}`}
            min={0}
            max={steps.length - 1}
            value={index}
            onChange={(e) => setPosition(Number(e.target.value))}
          />
          <span aria-label="Shown step">{steps[index]}</span>
        </label>
      )}
      <ErrorBox error={error} />
      <div className="table-scroll">
        <table className="grid media-grid" aria-label="Media">
          <thead>
            <tr>
              <th>Run</th>
              {block.keys.map((k) => (
                <th key={k}>{k}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.runs.map((run) => (
              <tr key={run.id}>
                <th>{run.name || run.key}</th>
                {block.keys.map((key) => {
                  const cell = cells.get(`${run.id}\u0000${key}`);
                  return (
                    <td key={key}>
                      {!cell || cell.step === null || !cell.items.length ? (
                        <span className="muted">—</span>
                      ) : (
                        <div className="media-items">
                          {cell.items.map((item) => (
                            <Item key={item.index} item={item} label={`${run.name || run.key} ${key}`} />
                          ))}
                          <span className="muted small">step {cell.step}</span>
                        </div>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
