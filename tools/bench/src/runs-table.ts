/**
 * Runs table at scale: a project with 1,000,000 runs (seeded in SQL), filtered
 * on a param and sorted by a metric summary; time to the first page, measured
 * before ANALYZE (no table statistics: autovacuum is switched off for the two
 * tables while seeding) and again after it.
 *
 *   createdb -h 127.0.0.1 -U postgres tb_runs_bench
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tb_runs_bench npx tsx tools/bench/src/runs-table.ts
 *
 * Env: BENCH_RUNS (default 1,000,000), BENCH_REPEAT (default 20).
 * Needs BENCH_DATABASE_URL: the seed goes straight into PostgreSQL.
 */
import { Client } from 'pg';
import { setupProject, startServer } from './server';

const runs = Number(process.env.BENCH_RUNS ?? 1_000_000);
const repeat = Number(process.env.BENCH_REPEAT ?? 20);

async function seed(databaseUrl: string, projectSlug: string) {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const [{ id: projectId, organization_id: orgId }] = (
    await db.query(`SELECT id, organization_id FROM projects WHERE slug = $1`, [projectSlug])
  ).rows;
  const t0 = performance.now();
  await db.query(`ALTER TABLE runs SET (autovacuum_enabled = false); ALTER TABLE series SET (autovacuum_enabled = false)`);
  // Five optimizers, so `params.optimizer = "adam"` keeps a fifth of the runs.
  await db.query(
    `INSERT INTO runs (organization_id, project_id, number, name, state, created_at, started_at, params, tags)
     SELECT $1, $2, n, 'run-' || n, (ARRAY['finished','failed','running','crashed','aborted'])[1 + n % 5],
            now() - make_interval(secs => n), now() - make_interval(secs => n),
            jsonb_build_object('optimizer', (ARRAY['adam','sgd','adamw','lion','rmsprop'])[1 + (n * 7) % 5],
                               'lr', round((random() / 100)::numeric, 6), 'batch_size', (ARRAY[32,64,128,256])[1 + n % 4]),
            ARRAY['bench']
       FROM generate_series(1, $3) AS n`,
    [orgId, projectId, runs],
  );
  await db.query(
    `INSERT INTO series (organization_id, project_id, run_id, kind, name, count, last_step, last_value, min_value, max_value)
     SELECT organization_id, project_id, id, 'metric', 'loss', 100, 99, random(), random() / 2, 1 + random() FROM runs WHERE project_id = $1`,
    [projectId],
  );
  await db.query(`UPDATE projects SET next_run_number = $2 + 1 WHERE id = $1`, [projectId, runs]);
  console.log(`seeded ${runs.toLocaleString('en-US')} runs with a loss summary each in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return db;
}

async function time(url: string, key: string) {
  const times: number[] = [];
  let body: any;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    body = await response.json();
    if (!response.ok) throw new Error(JSON.stringify(body));
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const total = body.total ? `${body.total.count.toLocaleString('en-US')}${body.total.exact ? '' : ' (estimate)'}` : '';
  return {
    p50: times[Math.floor(times.length / 2)]!,
    p95: times[Math.floor(times.length * 0.95)]!,
    rows: body.items.length as number,
    total,
  };
}

async function main() {
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  if (!databaseUrl) throw new Error('set BENCH_DATABASE_URL to an empty database');
  const server = await startServer(Number(process.env.BENCH_PORT ?? 3903));
  try {
    const project = await setupProject(server.url, 'table');
    const db = await seed(databaseUrl, project.project);
    const base = `${project.url}/api/v1${project.runs}?limit=50`;
    const cases: Array<[string, string]> = [
      ['newest first, no filter', base],
      [
        'filter param, sort by metric summary',
        `${base}&filter=${encodeURIComponent('params.optimizer = "adam"')}&sort=${encodeURIComponent('metrics.loss')}&columns=${encodeURIComponent('params.lr,metrics.loss')}`,
      ],
      [
        'filter param range and state, sort by metric min desc',
        `${base}&filter=${encodeURIComponent('params.lr > 0.005 AND state = "finished"')}&sort=${encodeURIComponent('-metrics.loss.min')}`,
      ],
      [
        'sort by a metric max, descending',
        `${base}&sort=${encodeURIComponent('-metrics.loss.max')}&columns=${encodeURIComponent('metrics.loss.max')}`,
      ],
      ['sort by a metric count', `${base}&sort=${encodeURIComponent('metrics.loss.count')}`],
      ['sort by a metric max, second page', ''],
    ];
    for (const stats of ['before ANALYZE (no statistics)', 'after ANALYZE']) {
      if (stats === 'after ANALYZE') await db.query('ANALYZE runs; ANALYZE series');
      console.log(
        `runs table: ${runs.toLocaleString('en-US')} runs, first page of 50, ${repeat} requests each, ${stats} (client-side over loopback)`,
      );
      for (const [label, caseUrl] of cases) {
        let url = caseUrl;
        if (!url) {
          const first = await fetch(cases[3]![1], { headers: { authorization: `Bearer ${project.key}` } }).then(
            (r) => r.json() as Promise<{ nextCursor: string }>,
          );
          url = `${cases[3]![1]}&cursor=${first.nextCursor}`;
        }
        const r = await time(url, project.key);
        console.log(
          `  ${label}: p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms (${r.rows} rows${r.total ? `, total ${r.total}` : ''})`,
        );
      }
    }
    await db.end();
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
