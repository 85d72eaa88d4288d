import type { DeclareFilesResponse, FileUploadResult, UploadPlan } from '@trackbase/contracts';
import {
  bytesSource,
  createUploadRuntime,
  projectUploadCalls,
  sendDeclared,
  sendWithFetch,
  TrackbaseApi,
  uploadWithPlan,
  type UploadRuntime,
  type BytesSource,
} from '@trackbase/sdk/client';
import type { ApiClient } from './api-client';
import { md5Base64, sha256 } from './bytes';

export { md5Base64, sha256 };

export interface UploadOptions {
  /** Replaces the bytes of a part before they are sent (to test corruption in transit). */
  tamper?: (partNumber: number, bytes: Buffer) => Buffer;
  /** Stop after this many parts (to test an interrupted upload). */
  stopAfterParts?: number;
}

/** The SDK's upload driver for a test user's project (`/orgs/{org}/projects/{project}`), bytes in memory sent with fetch. */
function driver(api: ApiClient, projectPath: string, totalBytes: number): UploadRuntime<BytesSource> {
  const [, org, project] = /^\/orgs\/([^/]+)\/projects\/([^/]+)$/.exec(projectPath) ?? [];
  if (!org || !project) throw new Error(`not a project path: ${projectPath}`);
  const client = new TrackbaseApi({ baseUrl: api.baseUrl, token: () => api.token, maxAttempts: 1 });
  return createUploadRuntime(projectUploadCalls(client, org, project), sendWithFetch, totalBytes, {});
}

const source = (name: string, content: Buffer) => bytesSource(name, content, (bytes) => md5Base64(Buffer.from(bytes)));

const noFreshPlans = async (): Promise<undefined> => {
  throw new Error('the test expected its plan to last');
};

/**
 * Sends one upload. Without options, through the SDK's upload driver (as
 * every client does), answering the upload's status once it is available.
 * With a tampering option, step by step as written out below, so a test can
 * send bytes no client would and see each answer of the API: a single PUT or
 * parts through presigned URLs, each part reported, then complete. Returns
 * the last response of the API.
 */
export async function sendUpload(api: ApiClient, projectPath: string, plan: UploadPlan, content: Buffer, options: UploadOptions = {}) {
  if (!options.tamper && options.stopAfterParts === undefined) {
    const rt = driver(api, projectPath, content.length);
    await uploadWithPlan(rt, source(plan.uploadId, content), plan, noFreshPlans, rt.progress.child(content.length));
    return api.get(`${projectPath}/uploads/${plan.uploadId}`);
  }
  if (plan.method === 'single') {
    const put = await fetch(plan.url!, {
      method: 'PUT',
      headers: plan.headers,
      body: new Uint8Array(options.tamper ? options.tamper(1, content) : content),
    });
    if (put.status !== 200) throw new Error(`PUT failed: ${put.status} ${await put.text()}`);
    return api.post(`${projectPath}/uploads/${plan.uploadId}/complete`);
  }
  let sent = 0;
  for (let partNumber = 1; partNumber <= plan.partCount; partNumber++) {
    if (plan.completedParts.includes(partNumber)) continue;
    if (options.stopAfterParts !== undefined && sent >= options.stopAfterParts) return null;
    const bytes = content.subarray((partNumber - 1) * plan.partSize, partNumber * plan.partSize);
    const md5 = md5Base64(bytes);
    const urls = await api.post(`${projectPath}/uploads/${plan.uploadId}/part-urls`, { parts: [{ partNumber, md5 }] });
    if (urls.status !== 200) throw new Error(`part-urls failed: ${urls.status} ${JSON.stringify(urls.body)}`);
    const { url, headers } = urls.body.parts[0];
    const body = options.tamper ? options.tamper(partNumber, bytes) : bytes;
    const put = await fetch(url, { method: 'PUT', headers, body: new Uint8Array(body) });
    // A store that checks the signed Content-MD5 refuses a corrupted part itself; one that does not is caught by the report below.
    if (put.status !== 200 && options.tamper) return { status: put.status, body: await put.json().catch(() => null) };
    if (put.status !== 200) throw new Error(`part PUT failed: ${put.status} ${await put.text()}`);
    const report = await api.post(`${projectPath}/uploads/${plan.uploadId}/parts`, {
      partNumber,
      etag: put.headers.get('etag'),
      md5,
      size: bytes.length,
    });
    if (report.status !== 200) return report;
    sent++;
  }
  return api.post(`${projectPath}/uploads/${plan.uploadId}/complete`);
}

/** Uploads every file a declaration answer asks for through the SDK's upload driver; `contents` by path. */
export async function sendAll(
  api: ApiClient,
  projectPath: string,
  declared: DeclareFilesResponse | { uploads: FileUploadResult[] },
  contents: Record<string, Buffer>,
) {
  const results = 'files' in declared ? declared.files : declared.uploads;
  const files = results.map(({ file }) => ({ remotePath: file.path, size: file.size, source: source(file.path, contents[file.path]!) }));
  const rt = driver(
    api,
    projectPath,
    files.reduce((n, f) => n + f.size, 0),
  );
  await sendDeclared(rt, results, files, noFreshPlans);
}

export const declaration = (path: string, content: Buffer, contentType?: string) => ({
  path,
  size: content.length,
  sha256: sha256(content),
  ...(contentType ? { contentType } : {}),
});
