import { Bool, Field, Float64, Int64, makeData, makeVector, Schema, Table, TimestampMillisecond, Utf8, type Data } from 'apache-arrow';
import { pyJson } from './py-json';

/** The long-format record schema of docs/export-format.md, column by column (the Python CLI's `exporter.schema()`). */
export const RECORD_SCHEMA = new Schema([
  new Field('project', new Utf8(), true),
  new Field('run_id', new Utf8(), true),
  new Field('run_key', new Utf8(), true),
  new Field('record', new Utf8(), true),
  new Field('name', new Utf8(), true),
  new Field('step', new Int64(), true),
  new Field('time', new TimestampMillisecond('UTC'), true),
  new Field('float_value', new Float64(), true),
  new Field('int_value', new Int64(), true),
  new Field('bool_value', new Bool(), true),
  new Field('string_value', new Utf8(), true),
  new Field('json_value', new Utf8(), true),
]);

export type RecordKind =
  'run' | 'tag' | 'param' | 'metric' | 'system' | 'text' | 'input' | 'output' | 'inherited_metric' | 'inherited_system' | 'inherited_text';

/** What an export holds, as `export.json` counts it. */
export interface RecordCounts {
  runs: number;
  params: number;
  points: number;
  textLines: number;
}

export interface RunBase {
  project: string;
  runId: string;
  runKey: string;
}

const encoder = new TextEncoder();

/** A growable validity bitmap (Arrow: bit set = value present). */
class Validity {
  bits = new Uint8Array(1024);
  nulls = 0;
  set(index: number, valid: boolean): void {
    if (index >> 3 >= this.bits.length) this.bits = grow(this.bits, (index >> 3) + 1);
    if (valid) this.bits[index >> 3]! |= 1 << (index & 7);
    else this.nulls++;
  }
  setRange(from: number, n: number, valid: boolean): void {
    for (let i = 0; i < n; i++) this.set(from + i, valid);
  }
}

function grow<T extends Uint8Array | Int32Array | Float64Array | BigInt64Array>(array: T, need: number): T {
  let size = array.length * 2;
  while (size < need) size *= 2;
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array as never);
  return next;
}

class Utf8Column {
  bytes = new Uint8Array(64 * 1024);
  offsets = new Int32Array(1024);
  used = 0;
  length = 0;
  validity = new Validity();

  append(value: string | null, times = 1): void {
    if (this.offsets.length < this.length + times + 1) this.offsets = grow(this.offsets, this.length + times + 1);
    const encoded = value === null ? null : encoder.encode(value);
    if (encoded && this.bytes.length < this.used + encoded.length * times)
      this.bytes = grow(this.bytes, this.used + encoded.length * times);
    for (let i = 0; i < times; i++) {
      if (encoded) {
        this.bytes.set(encoded, this.used);
        this.used += encoded.length;
      }
      this.validity.set(this.length, encoded !== null);
      this.length++;
      this.offsets[this.length] = this.used;
    }
  }

  data(): Data<Utf8> {
    return makeData({
      type: new Utf8(),
      length: this.length,
      nullCount: this.validity.nulls,
      nullBitmap: this.validity.nulls ? this.validity.bits.subarray(0, (this.length + 7) >> 3) : null,
      valueOffsets: this.offsets.subarray(0, this.length + 1),
      data: this.bytes.subarray(0, this.used),
    });
  }
}

class NumberColumn<A extends BigInt64Array | Float64Array> {
  length = 0;
  validity = new Validity();
  constructor(public values: A) {}
  reserve(n: number): void {
    if (this.values.length < this.length + n) this.values = grow(this.values, this.length + n);
  }
}

/**
 * Records of one batch, built column by column (a numeric series is appended as whole arrays, never an object per
 * point); `table()` makes the Arrow table the Parquet writer takes.
 */
export class RecordColumns {
  private readonly strings = {
    project: new Utf8Column(),
    run_id: new Utf8Column(),
    run_key: new Utf8Column(),
    record: new Utf8Column(),
    name: new Utf8Column(),
    string_value: new Utf8Column(),
    json_value: new Utf8Column(),
  };
  private readonly step = new NumberColumn(new BigInt64Array(1024));
  private readonly time = new NumberColumn(new BigInt64Array(1024));
  private readonly float = new NumberColumn(new Float64Array(1024));
  private readonly int = new NumberColumn(new BigInt64Array(1024));
  private readonly bool = { bits: new Validity(), validity: new Validity() };
  private readonly tally: RecordCounts = { runs: 0, params: 0, points: 0, textLines: 0 };
  length = 0;

  /** Adds this batch's records to `counts` (a run is counted by its `key` row). */
  countInto(counts: RecordCounts): void {
    for (const key of Object.keys(this.tally) as Array<keyof RecordCounts>) counts[key] += this.tally[key];
  }

  private head(base: RunBase, record: RecordKind, name: string, n: number): void {
    const s = this.strings;
    s.project.append(base.project, n);
    s.run_id.append(base.runId, n);
    s.run_key.append(base.runKey, n);
    s.record.append(record, n);
    s.name.append(name, n);
    const t = this.tally;
    if (record === 'run' && name === 'key') t.runs++;
    else if (record === 'param') t.params += n;
    else if (record === 'metric' || record === 'system') t.points += n;
    else if (record === 'text') t.textLines += n;
  }

  /** One record; the value goes to the column of its type, as the Python CLI splits it. */
  add(
    base: RunBase,
    record: RecordKind,
    name: string,
    value: unknown = null,
    step: number | null = null,
    time: number | null = null,
  ): void {
    this.head(base, record, name, 1);
    const i = this.length;
    this.numbers(this.step, step === null ? null : [BigInt(step)]);
    this.numbers(this.time, time === null ? null : [BigInt(Math.trunc(time))]);
    let f: number | null = null;
    let n: bigint | null = null;
    let b: boolean | null = null;
    let s: string | null = null;
    let j: string | null = null;
    if (typeof value === 'boolean') b = value;
    else if (typeof value === 'number') {
      if (Number.isInteger(value) && Math.abs(value) < 2 ** 63) n = BigInt(value);
      else f = value;
    } else if (typeof value === 'string') s = value;
    else if (value !== null && value !== undefined) j = pyJson(value);
    this.float.reserve(1);
    this.float.values[this.float.length] = f ?? 0;
    this.float.validity.set(this.float.length++, f !== null);
    this.numbers(this.int, n === null ? null : [n]);
    this.bool.validity.set(i, b !== null);
    if (b) this.bool.bits.set(i, true);
    this.strings.string_value.append(s);
    this.strings.json_value.append(j);
    this.length++;
  }

  /** A numeric series' points (steps, values and times in ms of equal length). */
  addSeries(
    base: RunBase,
    record: 'metric' | 'system' | 'inherited_metric' | 'inherited_system',
    name: string,
    steps: ArrayLike<number>,
    values: ArrayLike<number>,
    times: ArrayLike<number>,
  ): void {
    const n = steps.length;
    if (!n) return;
    this.head(base, record, name, n);
    for (const column of [this.step, this.time]) column.reserve(n);
    this.float.reserve(n);
    for (let k = 0; k < n; k++) {
      this.step.values[this.step.length + k] = BigInt(steps[k]!);
      this.time.values[this.time.length + k] = BigInt(Math.trunc(times[k]!));
      this.float.values[this.float.length + k] = values[k]!;
    }
    for (const column of [this.step, this.time, this.float]) {
      column.validity.setRange(column.length, n, true);
      column.length += n;
    }
    this.int.reserve(n);
    this.int.validity.setRange(this.int.length, n, false);
    this.int.length += n;
    this.bool.validity.setRange(this.length, n, false);
    this.strings.string_value.append(null, n);
    this.strings.json_value.append(null, n);
    this.length += n;
  }

  private numbers(column: NumberColumn<BigInt64Array>, value: [bigint] | null): void {
    column.reserve(1);
    column.values[column.length] = value ? value[0] : 0n;
    column.validity.set(column.length++, value !== null);
  }

  table(): Table {
    const n = this.length;
    const bitmap = (v: Validity) => (v.nulls ? padded(v.bits, (n + 7) >> 3) : null);
    const number = <T extends Int64 | Float64 | TimestampMillisecond>(type: T, c: NumberColumn<BigInt64Array | Float64Array>) =>
      makeVector(
        makeData({ type, length: n, nullCount: c.validity.nulls, nullBitmap: bitmap(c.validity), data: c.values.subarray(0, n) } as never),
      );
    const bools = makeData({
      type: new Bool(),
      length: n,
      nullCount: this.bool.validity.nulls,
      nullBitmap: bitmap(this.bool.validity),
      data: padded(this.bool.bits.bits, (n + 7) >> 3),
    });
    const s = this.strings;
    return new Table(RECORD_SCHEMA, {
      project: makeVector(s.project.data()),
      run_id: makeVector(s.run_id.data()),
      run_key: makeVector(s.run_key.data()),
      record: makeVector(s.record.data()),
      name: makeVector(s.name.data()),
      step: number(new Int64(), this.step),
      time: number(new TimestampMillisecond('UTC'), this.time),
      float_value: number(new Float64(), this.float),
      int_value: number(new Int64(), this.int),
      bool_value: makeVector(bools),
      string_value: makeVector(s.string_value.data()),
      json_value: makeVector(s.json_value.data()),
    } as never);
  }
}

function padded(bits: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(bits.subarray(0, size));
  return out;
}
