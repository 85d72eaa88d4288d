import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, createProject, signup, type TestUser } from '../../test/api-client';
import { startTestApp, type TestApp } from '../../test/test-app';
import { declaration, sendUpload } from '../../test/upload-client';
import { StorageJanitor } from './storage-janitor.service';

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let t: TestApp;
let owner: TestUser;
let projectPath: string;

beforeAll(async () => {
  // The background timer stays out of the way; the test runs passes itself.
  t = await startTestApp({ UPLOAD_EXPIRY_SECONDS: '1', STORAGE_JANITOR_INTERVAL_MS: '3600000', UPLOAD_PART_SIZE: String(5 * MiB) });
  owner = await signup(t.url, 'Owner');
  const org = (await createOrg(owner)).slug;
  projectPath = `/orgs/${org}/projects/${(await createProject(owner, org)).slug}`;
});
afterAll(() => t?.close());

describe('abandoned uploads', () => {
  it('are aborted and forgotten once untouched for UPLOAD_EXPIRY_SECONDS, with their drafts', async () => {
    const run = (await owner.api.post(`${projectPath}/runs`, {})).body.key;
    const content = randomBytes(11 * MiB);
    const declared = await owner.api.post(`${projectPath}/runs/${run}/files`, { files: [declaration('big.bin', content)] });
    const plan = declared.body.files[0].upload;
    expect(await sendUpload(owner.api, projectPath, plan, content, { stopAfterParts: 1 })).toBeNull();
    const [{ multipart_upload_id: storeUploadId }] = await t.dataSource.query(
      `SELECT multipart_upload_id FROM stored_objects WHERE id = $1`,
      [plan.uploadId],
    );
    const partsDir = join(t.config.ARTIFACTS_DIR, '.uploads', storeUploadId);
    expect(existsSync(partsDir)).toBe(true);

    const draft = await owner.api.post(`${projectPath}/artifacts/half/versions`, {
      kind: 'model',
      files: [declaration('w.bin', randomBytes(10))],
    });
    expect(draft.body.version.state).toBe('draft');

    await sleep(1_200);
    const pass = await t.app.get(StorageJanitor).runOnce();
    expect(pass).toMatchObject({ expiredUploads: 2, expiredDrafts: 1 });
    expect(existsSync(partsDir)).toBe(false);
    expect((await owner.api.get(`${projectPath}/uploads/${plan.uploadId}`)).status).toBe(404);
    expect((await owner.api.get(`${projectPath}/runs/${run}/files`)).body.entries).toEqual([]);
    expect((await owner.api.get(`${projectPath}/artifacts/half/versions/${draft.body.version.id}`)).status).toBe(404);
    expect((await owner.api.get(`/orgs/${projectPath.split('/')[2]}/storage`)).body.usedBytes).toBe(0);
  });

  it('an upload still being worked on does not expire', async () => {
    const run = (await owner.api.post(`${projectPath}/runs`, {})).body.key;
    const content = randomBytes(11 * MiB);
    const file = declaration('slow.bin', content);
    const plan = (await owner.api.post(`${projectPath}/runs/${run}/files`, { files: [file] })).body.files[0].upload;
    await sleep(700);
    // Resuming (declaring again) is a sign of life.
    const resumed = (await owner.api.post(`${projectPath}/runs/${run}/files`, { files: [file] })).body.files[0].upload;
    await sleep(700);
    await t.app.get(StorageJanitor).runOnce();
    expect((await sendUpload(owner.api, projectPath, resumed, content))?.status).toBe(200);
    expect(plan.uploadId).toBe(resumed.uploadId);
  });
});
