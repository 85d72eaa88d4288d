import type { Report, ReportBlock } from '@trackbase/contracts';
import { REPORT_LIMITS } from '@trackbase/contracts';
import { useState } from 'react';
import { ErrorBox } from '../components/ui';
import { Markdown, type MarkdownScope } from '../markdown/Markdown';
import { newBlockId } from './api';
import { ReportPanel, type PanelLoader } from './ReportPanel';

type PanelDraft = Exclude<ReportBlock, { type: 'text' }>;
type PanelKind = PanelDraft['type'];

export const PANEL_KINDS: Record<PanelKind, string> = {
  line: 'Line chart',
  runs: 'Runs table',
  scatter: 'Scatter plot',
  parallel: 'Parallel coordinates',
  media: 'Media',
};

/** The same panel as another kind: its title, run set and freeze kept, its fields carried over where they mean the same. */
function asKind(block: PanelDraft, type: PanelKind): PanelDraft {
  const common = {
    id: block.id,
    ...(block.title ? { title: block.title } : {}),
    runSet: block.runSet,
    ...(block.freeze ? { freeze: block.freeze } : {}),
  };
  const metrics = 'metrics' in block ? (block.metrics ?? []) : block.type === 'scatter' ? [block.y.name] : [];
  switch (type) {
    case 'line':
    case 'runs':
      return { ...common, type, metrics };
    case 'scatter':
      return {
        ...common,
        type,
        x: { kind: 'param', name: block.type === 'parallel' ? (block.params?.[0] ?? '') : '' },
        y: { kind: 'metric', name: metrics[0] ?? '' },
      };
    case 'parallel':
      return { ...common, type, params: block.type === 'scatter' && block.x.kind === 'param' ? [block.x.name] : [], metrics };
    case 'media':
      return { ...common, type, keys: [] };
  }
}

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

/** The fields of one kind of panel: metrics; a scatter's axes; parallel axes; media keys and step. */
function PanelFields({ block, onChange }: { block: PanelDraft; onChange: (b: ReportBlock) => void }) {
  const listInput = (field: string, label: string, value: string[], placeholder: string, set: (v: string[]) => PanelDraft) => (
    <label>
      {label}
      <input
        aria-label={`${field} of block ${block.id}`}
        defaultValue={value.join(', ')}
        onBlur={(e) => onChange(set(list(e.target.value)))}
        placeholder={placeholder}
      />
    </label>
  );
  switch (block.type) {
    case 'line':
    case 'runs':
      return listInput('Metrics', 'Metrics', block.metrics ?? [], 'loss, val/acc', (metrics) => ({ ...block, metrics }));
    case 'parallel':
      return (
        <>
          {listInput('Params', 'Params', block.params ?? [], 'lr, batch_size', (params) => ({ ...block, params }))}
          {listInput('Metrics', 'Metrics', block.metrics ?? [], 'val/acc', (metrics) => ({ ...block, metrics }))}
        </>
      );
    case 'scatter':
      return (
        <>
          {(['x', 'y'] as const).map((axis) => (
            <label key={axis}>
              {axis.toUpperCase()}
              <select
                aria-label={`${axis.toUpperCase()} kind of block ${block.id}`}
                value={block[axis].kind}
                onChange={(e) => onChange({ ...block, [axis]: { ...block[axis], kind: e.target.value as 'param' | 'metric' } })}
              >
                <option value="param">param</option>
                <option value="metric">metric (last value)</option>
              </select>
              <input
                aria-label={`${axis.toUpperCase()} of block ${block.id}`}
                defaultValue={block[axis].name}
                onBlur={(e) => onChange({ ...block, [axis]: { ...block[axis], name: e.target.value.trim() } })}
                placeholder={axis === 'x' ? 'lr' : 'loss'}
              />
            </label>
          ))}
        </>
      );
    case 'media':
      return (
        <>
          {listInput('Media keys', 'Media keys', block.keys, 'samples, predictions', (keys) => ({ ...block, keys }))}
          <label>
            Step
            <input
              aria-label={`Step of block ${block.id}`}
              type="number"
              min={0}
              defaultValue={block.step ?? ''}
              onBlur={(e) => {
                const { step: _step, ...rest } = block;
                onChange(e.target.value === '' ? rest : { ...rest, step: Math.max(0, Math.floor(Number(e.target.value))) });
              }}
              placeholder="latest"
            />
          </label>
        </>
      );
  }
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
          onChange={(e) => onChange(asKind(block, e.target.value as PanelKind))}
        >
          {Object.entries(PANEL_KINDS).map(([kind, label]) => (
            <option key={kind} value={kind}>
              {label}
            </option>
          ))}
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
      <PanelFields key={block.type} block={block} onChange={onChange} />
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
  onDownload,
}: {
  report: Report;
  scope?: MarkdownScope;
  load: PanelLoader;
  onSave: (title: string, blocks: ReportBlock[]) => Promise<void>;
  onCancel: () => void;
  /** Downloads the saved draft as one HTML file. */
  onDownload?: () => void;
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
            <span className="grow muted small">{block.type === 'text' ? 'Text' : PANEL_KINDS[block.type]}</span>
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
        {onDownload && (
          <button type="button" className="secondary" onClick={onDownload} title="The saved draft as one HTML file that opens offline">
            Download HTML
          </button>
        )}
      </div>
    </form>
  );
}
