import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, createProject, signup, type TestUser } from '../../test/api-client';
import { createTestDatabase, startTestApp, type TestApp } from '../../test/test-app';
import { RetentionScheduler } from './retention-scheduler.service';

// Two API nodes on one database; their schedulers are driven by hand (the timer is off).
let a: TestApp;
let b: TestApp;
let owner: TestUser;
let org: string;

beforeAll(async () => {
  const db = await createTestDatabase();
  const env = { RETENTION_SCHEDULE_INTERVAL_MS: '0', STORAGE_JANITOR_INTERVAL_MS: '3600000' };
  a = await startTestApp(env, db);
  b = await startTestApp(env, db);
  owner = await signup(a.url, 'Owner');
  org = (await createOrg(owner)).slug;
}, 180_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
});

const SCRATCH = { runFilter: 'tags CONTAINS "scratch"', runFilterDays: 0 };

async function projectWithScratchRun(schedule?: 'manual' | 'daily') {
  const slug = (await createProject(owner, org)).slug;
  const path = `/orgs/${org}/projects/${slug}`;
  const run = (await owner.api.post(`${path}/runs`, { tags: ['scratch'] })).body;
  const put = await owner.api.put(`${path}/retention`, { ...SCRATCH, ...(schedule ? { schedule } : {}) });
  expect(put.status).toBe(200);
  const id = (
    await a.dataSource.query(`SELECT project_id FROM retention_policies WHERE project_id = (SELECT id FROM projects WHERE slug = $1)`, [
      slug,
    ])
  )[0].project_id as string;
  return { slug, path, run, id, put: put.body };
}

/** Makes every daily policy of the org due now, as if a day had passed. */
async function makeDue() {
  await a.dataSource.query(
    `UPDATE retention_policies SET next_apply_at = now() - interval '1 minute'
      WHERE schedule = 'daily' AND organization_id = (SELECT id FROM organizations WHERE slug = $1)`,
    [org],
  );
}

async function appliedAudits(projectId: string): Promise<Array<{ by: string }>> {
  const rows = await a.dataSource.query(`SELECT details FROM audit_entries WHERE action = 'retention.applied' AND target_id = $1`, [
    projectId,
  ]);
  return rows.map((r: { details: { by: string } }) => ({ by: r.details.by }));
}

describe('retention on a schedule', () => {
  it('a policy is manual unless set daily; daily ones first apply a day after being set; unknown schedules are refused', async () => {
    const manual = await projectWithScratchRun();
    expect(manual.put).toMatchObject({ schedule: 'manual', nextApplyAt: null, lastAppliedAt: null });
    const daily = await projectWithScratchRun('daily');
    expect(daily.put.schedule).toBe('daily');
    const next = Date.parse(daily.put.nextApplyAt);
    expect(next - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect(next - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    // Saving a daily policy again keeps its next application (editing does not postpone it for ever).
    const again = await owner.api.put(`${daily.path}/retention`, { ...SCRATCH, schedule: 'daily' });
    expect(again.body.nextApplyAt).toBe(daily.put.nextApplyAt);
    // Back to manual: no next application.
    expect((await owner.api.put(`${daily.path}/retention`, { ...SCRATCH, schedule: 'manual' })).body.nextApplyAt).toBeNull();

    const bad = await owner.api.put(`${daily.path}/retention`, { ...SCRATCH, schedule: 'hourly' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    // Not yet due: the scheduler leaves it alone.
    await owner.api.put(`${daily.path}/retention`, { ...SCRATCH, schedule: 'daily' });
    expect(await a.app.get(RetentionScheduler).runOnce()).not.toContain(daily.id);
  });

  it('two nodes racing apply each due policy exactly once, and never a manual one', async () => {
    const daily = [];
    for (let i = 0; i < 8; i++) daily.push(await projectWithScratchRun('daily'));
    const manual = await projectWithScratchRun('manual');
    await makeDue();

    const [fromA, fromB] = await Promise.all([a.app.get(RetentionScheduler).runOnce(), b.app.get(RetentionScheduler).runOnce()]);
    const applied = [...fromA, ...fromB];
    for (const p of daily)
      expect(
        applied.filter((id) => id === p.id),
        p.slug,
      ).toHaveLength(1);
    expect(applied).not.toContain(manual.id);

    for (const p of daily) {
      expect(await appliedAudits(p.id)).toEqual([{ by: 'schedule' }]);
      expect((await owner.api.get(`${p.path}/runs/${p.run.key}`)).status).toBe(404);
      const trash = (await owner.api.get(`${p.path}/trash`)).body.items;
      expect(trash.map((i: { id: string }) => i.id)).toEqual([p.run.id]);
      const policy = (await owner.api.get(`${p.path}/retention`)).body;
      expect(Date.parse(policy.lastAppliedAt)).toBeLessThanOrEqual(Date.now());
      expect(Date.parse(policy.nextApplyAt) - Date.parse(policy.lastAppliedAt)).toBe(24 * 3600_000);
    }
    expect(await appliedAudits(manual.id)).toEqual([]);
    expect((await owner.api.get(`${manual.path}/runs/${manual.run.key}`)).status).toBe(200);
    expect((await owner.api.get(`${manual.path}/retention`)).body).toMatchObject({ lastAppliedAt: null, nextApplyAt: null });

    // Applied, the policies are due again only tomorrow.
    expect(await Promise.all([a.app.get(RetentionScheduler).runOnce(), b.app.get(RetentionScheduler).runOnce()])).toEqual([[], []]);

    // Applying by hand records lastAppliedAt too, and is audited the same way.
    expect((await owner.api.post(`${manual.path}/retention/apply`)).status).toBe(200);
    expect(await appliedAudits(manual.id)).toEqual([{ by: 'request' }]);
    expect((await owner.api.get(`${manual.path}/retention`)).body.lastAppliedAt).not.toBeNull();
  });

  it("a trashed project's daily policy is not applied", async () => {
    const p = await projectWithScratchRun('daily');
    expect((await owner.api.delete(p.path)).status).toBe(204);
    await makeDue();
    expect(await a.app.get(RetentionScheduler).runOnce()).not.toContain(p.id);
    expect(await appliedAudits(p.id)).toEqual([]);
  });
});
