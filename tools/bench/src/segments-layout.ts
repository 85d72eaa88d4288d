/**
 * `series_segments` at scale: the same seeded table in three layouts, timed on the statements the
 * API runs against it (issue 20, docs/scaling.md):
 *   - plain: one table, primary key (organization_id, id), as migrated;
 *   - hash: PARTITION BY HASH (organization_id), BENCH_PARTITIONS partitions;
 *   - range: PARTITION BY RANGE (id), BENCH_PARTITIONS partitions (ids grow with arrival, so this is
 *     partitioning by time; the table has no time column of its own).
 *
 *   BENCH_DATABASE_URL=postgres://... npx tsx tools/bench/src/segments-layout.ts
 *
 * Env: BENCH_ORGS (default 200), BENCH_SERIES_PER_ORG (50), BENCH_SEGMENTS_PER_SERIES (100),
 * BENCH_PARTITIONS (16), BENCH_REPEAT (400), BENCH_ROUNDS (2). Works in its own schema `bench_segments`, dropped at
 * the end. Payloads are 3 x 256 bytes per row, far smaller than real segments, so the table has the
 * row count of a big table but not its bytes: index depth, planning and partition pruning are
 * measured; TOAST reads are not.
 */
import { Client } from 'pg';

const url = process.env.BENCH_DATABASE_URL;
const orgs = Number(process.env.BENCH_ORGS ?? 200);
const seriesPerOrg = Number(process.env.BENCH_SERIES_PER_ORG ?? 50);
const segmentsPerSeries = Number(process.env.BENCH_SEGMENTS_PER_SERIES ?? 100);
const partitions = Number(process.env.BENCH_PARTITIONS ?? 16);
const repeat = Number(process.env.BENCH_REPEAT ?? 400);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const POINTS_PER_SEGMENT = 2_500;

type Layout = 'plain' | 'hash' | 'range';
const LAYOUTS: Layout[] = ['plain', 'hash', 'range'];

const COLUMNS = `id bigint NOT NULL, organization_id uuid NOT NULL, series_id bigint NOT NULL,
  first_step bigint NOT NULL, last_step bigint NOT NULL, count integer NOT NULL,
  min_value double precision, max_value double precision,
  steps bytea NOT NULL, "values" bytea NOT NULL, times bytea NOT NULL, chunks bytea NOT NULL`;

let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const pick = (n: number) => Math.floor(random() * n);

function orgId(i: number) {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

async function create(db: Client, layout: Layout, total: number) {
  const t = `bench_segments.${layout}`;
  if (layout === 'plain') await db.query(`CREATE TABLE ${t} (${COLUMNS})`);
  if (layout === 'hash') {
    await db.query(`CREATE TABLE ${t} (${COLUMNS}) PARTITION BY HASH (organization_id)`);
    for (let i = 0; i < partitions; i++) {
      await db.query(`CREATE TABLE ${t}_${i} PARTITION OF ${t} FOR VALUES WITH (MODULUS ${partitions}, REMAINDER ${i})`);
    }
  }
  if (layout === 'range') {
    await db.query(`CREATE TABLE ${t} (${COLUMNS}) PARTITION BY RANGE (id)`);
    const width = Math.ceil((total + 1_000_000) / partitions);
    for (let i = 0; i < partitions; i++) {
      const to = i === partitions - 1 ? 'MAXVALUE' : String((i + 1) * width + 1);
      await db.query(`CREATE TABLE ${t}_${i} PARTITION OF ${t} FOR VALUES FROM (${i === 0 ? 'MINVALUE' : i * width + 1}) TO (${to})`);
    }
  }
}

/** Rows in arrival order: ids interleave every series, as concurrent runs' batches do. */
async function seedRows(db: Client, layout: Layout) {
  const series = orgs * seriesPerOrg;
  await db.query(
    `INSERT INTO bench_segments.${layout}
     SELECT g, ('00000000-0000-4000-8000-' || lpad(to_hex(((g - 1) % $1) / $2), 12, '0'))::uuid,
            (g - 1) % $1 + 1, ((g - 1) / $1) * $3, ((g - 1) / $1) * $3 + $3 - 1, $3, 0, 1,
            p, p, p, substr(p, 1, 64)
       FROM generate_series(1, $1::bigint * $4) g,
            LATERAL (SELECT convert_to(repeat(md5(g::text), 8), 'UTF8') AS p) payload`,
    [series, seriesPerOrg, POINTS_PER_SEGMENT, segmentsPerSeries],
  );
}

async function index(db: Client, layout: Layout) {
  const t = `bench_segments.${layout}`;
  await db.query(`ALTER TABLE ${t} ADD PRIMARY KEY (organization_id, id)`);
  await db.query(`CREATE INDEX ON ${t} (series_id, first_step)`);
  await db.query(`CREATE INDEX ON ${t} (id)`);
  await db.query(`ANALYZE ${t}`);
}

async function timed(n: number, work: (i: number) => Promise<unknown>) {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await work(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(times.length * q))]!.toFixed(2);
  return `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms`;
}

/** The last id appended to each layout by earlier rounds. */
const appended = new Map<Layout, number>();

async function measure(db: Client, layout: Layout, total: number) {
  const t = `bench_segments.${layout}`;
  const series = orgs * seriesPerOrg;
  const seriesOf = (s: number) => ({ org: orgId(Math.floor((s - 1) / seriesPerOrg)), series: s });
  const results: Record<string, string> = {};
  // The segment list of a read: one series' segments over its whole step range (series.repository).
  results['segment list of one series'] = await timed(repeat, () => {
    const s = seriesOf(1 + pick(series));
    return db.query(
      `SELECT id, series_id, first_step, last_step, count FROM ${t}
        WHERE organization_id = $1 AND series_id = $2 AND last_step >= 0 AND first_step <= 9223372036854775807
        ORDER BY first_step, id`,
      [s.org, s.series],
    );
  });
  // The points of 20 segments of one series by id (series.repository pointsBySeries).
  results['points of 20 segments by id'] = await timed(repeat, () => {
    const s = seriesOf(1 + pick(series));
    const from = pick(Math.max(1, segmentsPerSeries - 20));
    const ids = Array.from({ length: 20 }, (_, k) => String((from + k) * series + s.series));
    return db.query(
      `SELECT series_id, steps, "values", times FROM ${t} WHERE organization_id = $1 AND id = ANY($2::bigint[]) ORDER BY series_id, id`,
      [s.org, ids],
    );
  });
  // The compaction scan: the next 1,000 segments after an id, across organizations (compaction.repository).
  results['compaction scan, 1,000 ids after a point'] = await timed(Math.ceil(repeat / 4), () =>
    db.query(`SELECT id, organization_id, series_id, count FROM ${t} WHERE id > $1 ORDER BY id LIMIT 1000`, [pick(total)]),
  );
  // Ingestion: a batch appends 20 segments of one organization's series (ingest.repository).
  let next = (appended.get(layout) ?? total) + 1;
  results['insert a batch of 20 segments'] = await timed(repeat, () => {
    const s = seriesOf(1 + pick(series));
    const ids = Array.from({ length: 20 }, () => next++);
    appended.set(layout, next - 1);
    return db.query(
      `INSERT INTO ${t} SELECT i, $1::uuid, $2::bigint, 0, 0, $3, 0, 1, p, p, p, substr(p, 1, 64)
         FROM unnest($4::bigint[]) i, LATERAL (SELECT convert_to(repeat(md5(i::text), 8), 'UTF8') AS p) payload`,
      [s.org, s.series, POINTS_PER_SEGMENT, ids],
    );
  });
  const size = await db.query<{ table: string; indexes: string }>(
    `SELECT pg_size_pretty(sum(pg_table_size(c.oid))) AS table, pg_size_pretty(sum(pg_indexes_size(c.oid))) AS indexes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'bench_segments' AND c.relkind = 'r' AND (c.relname = $1 OR c.relname LIKE $1 || '\\_%')`,
    [layout],
  );
  results['size (heap + TOAST / indexes)'] = `${size.rows[0]!.table} / ${size.rows[0]!.indexes}`;
  return results;
}

async function main() {
  if (!url) throw new Error('set BENCH_DATABASE_URL to a PostgreSQL this benchmark may create a schema in');
  const db = new Client({ connectionString: url });
  await db.connect();
  const total = orgs * seriesPerOrg * segmentsPerSeries;
  console.log(
    `series_segments layouts: ${total.toLocaleString('en-US')} segments (${orgs} organizations x ${seriesPerOrg} series x ${segmentsPerSeries} segments), ` +
      `${((total * POINTS_PER_SEGMENT) / 1e9).toFixed(1)} billion points at ${POINTS_PER_SEGMENT.toLocaleString('en-US')} points per segment; ${partitions} partitions`,
  );
  try {
    await db.query(`DROP SCHEMA IF EXISTS bench_segments CASCADE`);
    await db.query(`CREATE SCHEMA bench_segments`);
    for (const layout of LAYOUTS) {
      const t0 = performance.now();
      await create(db, layout, total);
      await seedRows(db, layout);
      await index(db, layout);
      console.log(`  ${layout}: seeded and indexed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    // Layouts measured in turn, round after round, so a burst of load on a shared machine hits all of them.
    const results = new Map<Layout, Array<Record<string, string>>>(LAYOUTS.map((l) => [l, []]));
    for (let round = 0; round < rounds; round++) {
      for (const layout of LAYOUTS) results.get(layout)!.push(await measure(db, layout, total));
    }
    for (const name of Object.keys(results.get('plain')![0]!)) {
      console.log(`${name}:`);
      for (const layout of LAYOUTS)
        console.log(
          `  ${layout.padEnd(6)} ${results
            .get(layout)!
            .map((r) => r[name])
            .join(' | ')}`,
        );
    }
    for (const layout of LAYOUTS) {
      const plan = await db.query<{ 'QUERY PLAN': unknown }>(
        `EXPLAIN (FORMAT JSON) SELECT id FROM bench_segments.${layout} WHERE organization_id = $1 AND series_id = $2 ORDER BY first_step, id`,
        [orgId(1), seriesPerOrg + 1],
      );
      const relations = new Set<string>();
      const walk = (node: Record<string, unknown>) => {
        if (typeof node['Relation Name'] === 'string') relations.add(node['Relation Name']);
        for (const child of (node['Plans'] as Array<Record<string, unknown>> | undefined) ?? []) walk(child);
      };
      walk((plan.rows[0]!['QUERY PLAN'] as Array<{ Plan: Record<string, unknown> }>)[0]!.Plan);
      console.log(`  ${layout}: a series read scans ${relations.size} ${relations.size === 1 ? 'table' : 'partitions'}`);
    }
  } finally {
    await db.query(`DROP SCHEMA IF EXISTS bench_segments CASCADE`);
    await db.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
