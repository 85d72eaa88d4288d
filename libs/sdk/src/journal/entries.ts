import {
  toWireFloat,
  type AssetRef,
  type MediaItem,
  type ParamValue,
  type RunBatch,
  type RunContext,
  type WireFloat,
} from '@trackbase/contracts';

/** One line of the journal. Short keys: a long run writes millions of these. */
export type JournalEntry =
  | { t: 'm'; k: 'metric' | 'system'; s: number; ts: number; v: Record<string, number | WireFloat> }
  | { t: 'x'; n: string; s: number; ts: number; l: string }
  | { t: 'params'; v: Record<string, ParamValue> }
  | { t: 'tags'; add?: string[]; remove?: string[] }
  | { t: 'ctx'; v: RunContext }
  | { t: 'io'; d: 'input' | 'output'; v: AssetRef }
  /** A media item; the content objects it names are stored beside the journal (`media/<sha256>`) before this line. */
  | { t: 'md'; v: MediaItem }
  | { t: 'b'; seq: number }
  | { t: 'a'; seq: number }
  | { t: 'r'; seq: number; code: string }
  | { t: 'finish'; state: string };

type Columns = { steps: number[]; values: WireFloat[]; times: number[] };

/**
 * Columnar buffers of everything logged since the last batch. The same class
 * turns journal entries back into the same batch after a crash.
 */
export class BatchBuffer {
  private metrics = new Map<string, Columns>();
  private system = new Map<string, Columns>();
  private text = new Map<string, { steps: number[]; lines: string[]; times: number[] }>();
  private params: Record<string, ParamValue> | undefined;
  private tagsAdd = new Set<string>();
  private tagsRemove = new Set<string>();
  private context: RunContext | undefined;
  private inputs: AssetRef[] = [];
  private outputs: AssetRef[] = [];
  media: MediaItem[] = [];
  points = 0;
  records = 0;

  addPoints(kind: 'metric' | 'system', step: number, time: number, values: Record<string, number | WireFloat>): void {
    const target = kind === 'metric' ? this.metrics : this.system;
    for (const name in values) {
      let columns = target.get(name);
      if (!columns) target.set(name, (columns = { steps: [], values: [], times: [] }));
      const v = values[name]!;
      columns.steps.push(step);
      columns.values.push(typeof v === 'number' ? toWireFloat(v) : v);
      columns.times.push(time);
      this.points++;
    }
    this.records++;
  }

  addText(name: string, step: number, time: number, line: string): void {
    let columns = this.text.get(name);
    if (!columns) this.text.set(name, (columns = { steps: [], lines: [], times: [] }));
    columns.steps.push(step);
    columns.lines.push(line);
    columns.times.push(time);
    this.points++;
    this.records++;
  }

  apply(entry: JournalEntry): void {
    switch (entry.t) {
      case 'm':
        return this.addPoints(entry.k, entry.s, entry.ts, entry.v);
      case 'x':
        return this.addText(entry.n, entry.s, entry.ts, entry.l);
      case 'params':
        this.params = { ...this.params, ...entry.v };
        break;
      case 'tags':
        for (const tag of entry.add ?? []) {
          this.tagsAdd.add(tag);
          this.tagsRemove.delete(tag);
        }
        for (const tag of entry.remove ?? []) {
          this.tagsRemove.add(tag);
          this.tagsAdd.delete(tag);
        }
        break;
      case 'ctx':
        this.context = { ...this.context, ...entry.v };
        break;
      case 'io':
        (entry.d === 'input' ? this.inputs : this.outputs).push(entry.v);
        break;
      case 'md':
        this.media.push(entry.v);
        break;
      default:
        return;
    }
    this.records++;
  }

  isEmpty(): boolean {
    return this.records === 0;
  }

  toBatch(streamId: string, seq: number): RunBatch {
    const series = (map: Map<string, Columns>) => [...map].map(([name, c]) => ({ name, ...c }));
    const batch: RunBatch = { streamId, seq };
    if (this.metrics.size) batch.metrics = series(this.metrics);
    if (this.system.size) batch.system = series(this.system);
    if (this.text.size) batch.text = [...this.text].map(([name, c]) => ({ name, ...c }));
    if (this.params) batch.params = this.params;
    if (this.tagsAdd.size || this.tagsRemove.size) batch.tags = { add: [...this.tagsAdd], remove: [...this.tagsRemove] };
    if (this.context) batch.context = this.context;
    if (this.inputs.length) batch.inputs = this.inputs;
    if (this.outputs.length) batch.outputs = this.outputs;
    if (this.media.length) batch.media = this.media;
    return batch;
  }
}
