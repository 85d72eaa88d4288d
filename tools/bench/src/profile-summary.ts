/**
 * Where a V8 CPU profile's time went: self time by package (our files by
 * name, node_modules by package, node internals, GC, idle) and the heaviest
 * functions, plus inclusive time of chosen frames.
 *
 *   [PROFILE_WINDOW=<from>-<to>] npx tsx tools/bench/src/profile-summary.ts <file.cpuprofile> [top=20]
 *
 * PROFILE_WINDOW (CLOCK_MONOTONIC µs, printed by small-batches.ts) keeps only the samples of one
 * load level, leaving out the server's start-up and the benchmark's setup.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function bucketOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + 6).replace(/^apps\/api\/src\//, 'api/') : url;
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
const top = Number(topArg ?? 20);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
const [from, to] = (process.env.PROFILE_WINDOW ?? '0-Infinity').split('-').map(Number) as [number, number];
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  at += profile.timeDeltas[i] ?? 0;
  if (at >= from && at <= to) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const idle = [...self].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
const busy = total - idle;

const buckets = new Map<string, number>();
const functions = new Map<string, number>();
for (const [id, time] of self) {
  const node = byId.get(id)!;
  const bucket = bucketOf(node);
  buckets.set(bucket, (buckets.get(bucket) ?? 0) + time);
  const fn = `${node.callFrame.functionName || '(anonymous)'} ${bucket}:${node.callFrame.lineNumber + 1}`;
  functions.set(fn, (functions.get(fn) ?? 0) + time);
}
const pct = (t: number) => `${((100 * t) / busy).toFixed(1).padStart(5)}%`;
console.log(
  `profile ${((Math.min(to, profile.endTime) - Math.max(from, profile.startTime)) / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s (idle excluded)`,
);
console.log('\nself time by package or file (share of busy time):');
for (const [name, t] of [...buckets]
  .filter(([n]) => n !== '(idle)')
  .sort((a, b) => b[1] - a[1])
  .slice(0, top))
  console.log(`  ${pct(t)}  ${name}`);
console.log('\nheaviest functions (self):');
for (const [name, t] of [...functions]
  .filter(([n]) => !n.startsWith('(idle)'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top))
  console.log(`  ${pct(t)}  ${name}`);

// Inclusive time of frames whose function name matches, counted once per sample.
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const frames = (
  process.env.PROFILE_FRAMES ?? 'parseJson,jsonParser,safeParse,canActivate,intercept,apply,submit,flush,query,handleRequest,write'
)
  .split(',')
  .filter(Boolean);
const inclusive = new Map<string, number>(frames.map((f) => [f, 0]));
for (const [id, time] of self) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const name = byId.get(cur)!.callFrame.functionName;
    if (inclusive.has(name) && !seen.has(name)) {
      seen.add(name);
      inclusive.set(name, inclusive.get(name)! + time);
    }
  }
}
console.log('\ninclusive time of frames by name:');
for (const [name, t] of [...inclusive].sort((a, b) => b[1] - a[1])) console.log(`  ${pct(t)}  ${name}`);
