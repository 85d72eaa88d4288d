/**
 * Column listing at scale: a project with 10,000 runs × 1,000 metric names
 * (seeded in SQL, 10,000,000 series rows) and 20 params; time for
 * `GET …/projects/{project}/columns`, the column picker's list.
 *
 *   createdb -h 127.0.0.1 -U postgres tb_columns_bench
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/tb_columns_bench npx tsx tools/bench/src/run-columns.ts
 *
 * Env: BENCH_RUNS (default 10,000), BENCH_METRICS (default 1,000), BENCH_REPEAT (default 20).
 */
import { Client } from 'pg';
import { setupProject, startServer } from './server';

const runs = Number(process.env.BENCH_RUNS ?? 10_000);
const metrics = Number(process.env.BENCH_METRICS ?? 1_000);
const repeat = Number(process.env.BENCH_REPEAT ?? 20);

async function seed(databaseUrl: string, projectSlug: string) {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const [{ id: projectId, organization_id: orgId }] = (
    await db.query(`SELECT id, organization_id FROM projects WHERE slug = $1`, [projectSlug])
  ).rows;
  const t0 = performance.now();
  await db.query(
    `INSERT INTO runs (organization_id, project_id, number, name, state, params)
     SELECT $1, $2, n, 'run-' || n, 'finished',
            (SELECT jsonb_object_agg('p' || k, CASE WHEN k < 5 THEN to_jsonb(n % (k + 2)) ELSE to_jsonb(k) END) FROM generate_series(0, 19) k)
       FROM generate_series(1, $3) AS n`,
    [orgId, projectId, runs],
  );
  // In slices of runs, so one statement's transition table stays small.
  for (let from = 1; from <= runs; from += 1_000) {
    await db.query(
      `INSERT INTO series (organization_id, project_id, run_id, kind, name, count, last_step, last_value, min_value, max_value)
       SELECT r.organization_id, r.project_id, r.id, 'metric', 'metric_' || m, 100, 99, random(), random(), random()
         FROM runs r, generate_series(1, $2) m
        WHERE r.project_id = $1 AND r.number BETWEEN $3 AND $4`,
      [projectId, metrics, from, from + 999],
    );
  }
  await db.query(`UPDATE projects SET next_run_number = $2 + 1 WHERE id = $1`, [projectId, runs]);
  await db.query('ANALYZE runs; ANALYZE series; ANALYZE project_fields');
  console.log(
    `seeded ${runs.toLocaleString('en-US')} runs × ${metrics.toLocaleString('en-US')} metric names in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  await db.end();
}

async function main() {
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  if (!databaseUrl) throw new Error('set BENCH_DATABASE_URL to an empty database');
  const server = await startServer(Number(process.env.BENCH_PORT ?? 3904));
  try {
    const project = await setupProject(server.url, 'columns');
    await seed(databaseUrl, project.project);
    const url = `${project.url}/api/v1/orgs/${project.org}/projects/${project.project}/columns`;
    const times: number[] = [];
    let body: any;
    for (let i = 0; i < repeat; i++) {
      const t0 = performance.now();
      const response = await fetch(url, { headers: { authorization: `Bearer ${project.key}` } });
      body = await response.json();
      if (!response.ok) throw new Error(JSON.stringify(body));
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(`column listing: ${body.columns.length.toLocaleString('en-US')} columns, defaults ${body.defaults.join(', ')}`);
    console.log(
      `  p50 ${times[Math.floor(repeat / 2)]!.toFixed(1)} ms, p95 ${times[Math.floor(repeat * 0.95)]!.toFixed(1)} ms (${repeat} requests, client-side over loopback)`,
    );
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
