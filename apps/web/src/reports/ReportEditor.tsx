import type { Report, ReportBlock } from '@trackbase/contracts';
import { REPORT_LIMITS } from '@trackbase/contracts';
import { useState } from 'react';
import { ErrorBox } from '../components/ui';
import { Markdown, type MarkdownScope } from '../markdown/Markdown';
import { newBlockId } from './api';
import { ReportPanel, type PanelLoader } from './ReportPanel';

type PanelDraft = Extract<ReportBlock, { type: 'line' | 'runs' }>;

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function TextBlockEditor({
  block,
  scope,
  onChange,
}: {
  block: Extract<ReportBlock, { type: 'text' }>;
  scope?: MarkdownScope;
  onChange: (b: ReportBlock) => void;
}) {
  const [preview, setPreview] = useState(false);
  return (
    <div>
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={!preview} className={preview ? '' : 'active'} onClick={() => setPreview(false)}>
          Write
        </button>
        <button type="button" role="tab" aria-selected={preview} className={preview ? 'active' : ''} onClick={() => setPreview(true)}>
          Preview
        </button>
      </div>
      {preview ? (
        <Markdown text={block.markdown} scope={scope} />
      ) : (
        <textarea
          aria-label={`Text of block ${block.id}`}
          rows={6}
          value={block.markdown}
          onChange={(e) => onChange({ ...block, markdown: e.target.value })}
          placeholder="Markdown: math, code, run keys like VIS-42"
        />
      )}
    </div>
  );
}

/** A panel's settings: kind, title, its run set (one project; fixed runs or a filter) and metrics. */
function PanelBlockEditor({ block, onChange }: { block: PanelDraft; onChange: (b: ReportBlock) => void }) {
  const runSet = block.runSet;
  const fixed = runSet.runs !== undefined;
  return (
    <div className="report-panel-form">
      <label>
        Kind
        <select
          aria-label={`Kind of block ${block.id}`}
          value={block.type}
          onChange={(e) => onChange({ ...block, type: e.target.value as 'line' | 'runs', metrics: block.metrics ?? [] } as ReportBlock)}
        >
          <option value="line">Line chart</option>
          <option value="runs">Runs table</option>
        </select>
      </label>
      <label>
        Title
        <input
          aria-label={`Title of block ${block.id}`}
          value={block.title ?? ''}
          onChange={(e) => onChange({ ...block, title: e.target.value || undefined })}
        />
      </label>
      <label>
        Metrics
        <input
          aria-label={`Metrics of block ${block.id}`}
          defaultValue={(block.metrics ?? []).join(', ')}
          onBlur={(e) => onChange({ ...block, metrics: list(e.target.value) })}
          placeholder="loss, val/acc"
        />
      </label>
      <label>
        Project
        <input
          aria-label={`Project of block ${block.id}`}
          value={runSet.project}
          onChange={(e) => onChange({ ...block, runSet: { ...runSet, project: e.target.value.trim() } })}
        />
      </label>
      {fixed ? (
        <label>
          Runs
          <input
            aria-label={`Runs of block ${block.id}`}
            defaultValue={runSet.runs!.join(', ')}
            onBlur={(e) => {
              const runs = list(e.target.value);
              onChange({ ...block, runSet: { project: runSet.project, ...(runs.length ? { runs } : { filter: '' }) } });
            }}
            placeholder="VIS-1, VIS-2"
          />
        </label>
      ) : (
        <label>
          Filter
          <input
            aria-label={`Filter of block ${block.id}`}
            value={runSet.filter ?? ''}
            onChange={(e) => onChange({ ...block, runSet: { ...runSet, filter: e.target.value } })}
            placeholder='params.lr > 0.01 and state = "finished"'
          />
        </label>
      )}
      <label>
        <input
          type="checkbox"
          checked={!!block.freeze?.atPublication}
          onChange={(e) => onChange({ ...block, freeze: e.target.checked ? { ...block.freeze, atPublication: true } : undefined })}
        />{' '}
        Freeze at publication
      </label>
    </div>
  );
}

/**
 * The draft editor: the title and blocks (Markdown, panels) moved, added and
 * removed locally; Save sends them with the revision they were based on, so an
 * edit begun from an older draft is refused (409) rather than lost.
 */
export function ReportEditor({
  report,
  scope,
  load,
  onSave,
  onCancel,
}: {
  report: Report;
  scope?: MarkdownScope;
  load: PanelLoader;
  onSave: (title: string, blocks: ReportBlock[]) => Promise<void>;
  onCancel: () => void;
}) {
  const [title, setTitle] = useState(report.title);
  const [blocks, setBlocks] = useState<ReportBlock[]>(report.blocks);
  const [error, setError] = useState<Error>();
  const [saving, setSaving] = useState(false);
  // Panels preview what was last saved (the data route reads the saved draft).
  const saved = new Map(report.blocks.map((b) => [b.id, JSON.stringify(b)]));
  const defaultProject = report.projects[0] ?? blocks.find((b) => b.type !== 'text')?.runSet.project ?? '';

  const change = (i: number, b: ReportBlock) => setBlocks((all) => all.map((x, j) => (j === i ? b : x)));
  const move = (i: number, by: number) =>
    setBlocks((all) => {
      const next = [...all];
      const [b] = next.splice(i, 1);
      next.splice(Math.max(0, Math.min(next.length, i + by)), 0, b!);
      return next;
    });
  const add = (b: ReportBlock) => setBlocks((all) => [...all, b]);

  return (
    <form
      className="report-editor"
      aria-label="Edit report"
      onSubmit={(event) => {
        event.preventDefault();
        setSaving(true);
        onSave(title, blocks).then(
          () => setSaving(false),
          (e: Error) => {
            setSaving(false);
            setError(e);
          },
        );
      }}
    >
      <label>
        Title
        <input aria-label="Report title" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={REPORT_LIMITS.titleLength} />
      </label>
      {blocks.map((block, i) => (
        <section key={block.id} className="report-block-edit card" aria-label={`Block ${i + 1}`}>
          <div className="toolbar">
            <span className="grow muted small">{block.type === 'text' ? 'Text' : block.type === 'line' ? 'Line chart' : 'Runs table'}</span>
            <button
              type="button"
              className="secondary"
              disabled={i === 0}
              onClick={() => move(i, -1)}
              aria-label={`Move block ${i + 1} up`}
            >
              ↑
            </button>
            <button
              type="button"
              className="secondary"
              disabled={i === blocks.length - 1}
              onClick={() => move(i, 1)}
              aria-label={`Move block ${i + 1} down`}
            >
              ↓
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => setBlocks((all) => all.filter((_, j) => j !== i))}
              aria-label={`Remove block ${i + 1}`}
            >
              Remove
            </button>
          </div>
          {block.type === 'text' ? (
            <TextBlockEditor block={block} scope={scope} onChange={(b) => change(i, b)} />
          ) : (
            <>
              <PanelBlockEditor block={block} onChange={(b) => change(i, b)} />
              {saved.get(block.id) === JSON.stringify(block) ? (
                <ReportPanel block={report.blocks.find((b) => b.id === block.id) as never} load={load} />
              ) : (
                <p className="muted small">Save to see this panel's data.</p>
              )}
            </>
          )}
        </section>
      ))}
      <div className="toolbar">
        <button type="button" className="secondary" onClick={() => add({ id: newBlockId('t'), type: 'text', markdown: '' })}>
          Add text
        </button>
        <button
          type="button"
          className="secondary"
          disabled={!defaultProject}
          onClick={() => add({ id: newBlockId('p'), type: 'line', runSet: { project: defaultProject, filter: '' }, metrics: [] })}
        >
          Add panel
        </button>
      </div>
      <ErrorBox error={error} />
      <div className="toolbar">
        <button type="submit" disabled={saving}>
          Save draft
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
