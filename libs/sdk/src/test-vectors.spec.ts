import { paths } from '@trackbase/contracts';
import { parseExpiry } from './cli/commands/keys';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArtifactRef } from './artifacts/artifact-ref';
import { ArtifactCache } from './artifacts/cache';
import { backoffDelay, retryAfterMs } from './client/backoff';
import { isRetryableBatchStatus, isRetryableStatus } from './client/errors';
import { redactEnv, redactValue } from './context/collect';
import { pendingParts } from './client/transfer/parts';
import type { JournalEntry } from './journal/entries';
import { batchFromEntries, Journal } from './journal/journal';

/** The vectors the Python SDK's tests read too (libs/contracts/test-vectors), so the two SDKs cannot drift. */
const vectors = resolve(__dirname, '../../contracts/test-vectors');
const read = <T>(name: string): T => JSON.parse(readFileSync(join(vectors, name), 'utf8')) as T;

describe('shared test vectors', () => {
  it('journal entries become the shared batch', () => {
    for (const c of read<Array<{ name: string; streamId: string; seq: number; entries: JournalEntry[]; batch: unknown; points: number }>>(
      'batches.json',
    )) {
      const { batch, points } = batchFromEntries(c.streamId, c.seq, c.entries);
      expect(batch, c.name).toEqual(c.batch);
      expect(points, c.name).toBe(c.points);
    }
  });

  it('journal replay follows the shared format', () => {
    type Case = {
      name: string;
      lines: string[];
      pending: number[];
      pendingEntries: number[];
      tail: number;
      nextSeq: number;
      finishState: string | null;
      rejected: number;
    };
    for (const c of read<Case[]>('journal-replay.json')) {
      const dir = join(mkdtempSync(join(tmpdir(), 'tb-vectors-')), 'run');
      Journal.create(dir, {
        localId: 'l',
        org: 'o',
        project: 'p',
        streamId: 's',
        createdAt: '2026-01-01T00:00:00Z',
        mode: 'async',
      }).close();
      const torn = !c.lines.at(-1)!.endsWith('}');
      writeFileSync(join(dir, 'journal.jsonl'), c.lines.join('\n') + (torn ? '' : '\n'));
      const state = Journal.replay(dir);
      expect(
        state.pending.map((p) => p.seq),
        c.name,
      ).toEqual(c.pending);
      expect(
        state.pending.map((p) => p.entries.length),
        c.name,
      ).toEqual(c.pendingEntries);
      expect(state.tail.length, c.name).toBe(c.tail);
      expect(state.nextSeq, c.name).toBe(c.nextSeq);
      expect(state.finishState, c.name).toBe(c.finishState);
      expect(state.rejected, c.name).toBe(c.rejected);
    }
  });

  it('key expiry as the CLIs read --expires', () => {
    for (const c of read<Array<{ input: string; now: string; expiresAt?: string | null; error?: boolean }>>('key-expiry.json')) {
      if (c.error) expect(() => parseExpiry(c.input, Date.parse(c.now)), c.input).toThrow(/--expires/);
      else expect(parseExpiry(c.input, Date.parse(c.now)), c.input).toBe(c.expiresAt ?? undefined);
    }
  });

  it('REST paths', () => {
    for (const c of read<Array<{ fn: keyof typeof paths; args: string[]; path: string }>>('paths.json')) {
      expect((paths[c.fn] as (...a: string[]) => string)(...c.args), c.fn).toBe(c.path);
    }
  });

  it('retry rules, backoff and Retry-After', () => {
    const rules = read<{
      retryableStatuses: number[];
      finalStatuses: number[];
      batchRetryableStatuses: number[];
      batchFinalStatuses: number[];
      backoff: Array<{ attempt: number; initialMs: number; maxMs: number; factor: number; random: number; delayMs: number }>;
      retryAfter: Array<{ header: string | null; nowMs: number; ms: number | null }>;
    }>('retry.json');
    expect(rules.retryableStatuses.every(isRetryableStatus)).toBe(true);
    expect(rules.finalStatuses.some(isRetryableStatus)).toBe(false);
    expect(rules.batchRetryableStatuses.every(isRetryableBatchStatus)).toBe(true);
    expect(rules.batchFinalStatuses.some(isRetryableBatchStatus)).toBe(false);
    for (const b of rules.backoff) expect(backoffDelay(b.attempt, b, () => b.random)).toBe(b.delayMs);
    for (const r of rules.retryAfter) expect(retryAfterMs(r.header, r.nowMs)).toBe(r.ms);
  });

  it('upload plans resume with the missing parts', () => {
    for (const c of read<Array<{ name: string; plan: Parameters<typeof pendingParts>[0]; parts: unknown[] }>>('upload-plans.json')) {
      expect(
        pendingParts(c.plan).map(({ partNumber, start, end }) => ({ partNumber, start, end })),
        c.name,
      ).toEqual(c.parts);
    }
  });

  it('artifact references and the cache layout', () => {
    const refs = read<{
      valid: Array<{ ref: string; parsed: unknown }>;
      invalid: string[];
      cacheLayout: {
        sha256: string;
        object: string;
        version: { org: string; project: string; name: string; version: string; dir: string };
      };
    }>('artifact-refs.json');
    for (const v of refs.valid) expect(parseArtifactRef(v.ref)).toEqual(v.parsed);
    for (const bad of refs.invalid) expect(() => parseArtifactRef(bad)).toThrow(/artifact is named/);
    const cache = new ArtifactCache('/cache');
    const { sha256, object, version } = refs.cacheLayout;
    expect(cache.objectPath(sha256)).toBe(join('/cache', object));
    expect(cache.versionDir(version.org, version.project, version.name, version.version)).toBe(join('/cache', version.dir));
  });

  it('redaction keeps harmless names and removes credentials inside values', () => {
    const cases = read<{
      env: Array<{ name: string; value: string; recorded: string }>;
      values: Array<{ value: string; recorded: string }>;
    }>('redaction.json');
    expect(redactEnv(Object.fromEntries(cases.env.map((c) => [c.name, c.value])))).toEqual(
      Object.fromEntries(cases.env.map((c) => [c.name, c.recorded])),
    );
    for (const c of cases.values) expect(redactValue(c.value), c.value).toBe(c.recorded);
  });
});
