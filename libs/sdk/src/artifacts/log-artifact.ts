import {
  STORAGE_LIMITS,
  type ArtifactVersion,
  type CreateVersionRequest,
  type CreateVersionResponse,
  type UploadPlan,
  type VersionMetadata,
} from '@trackbase/contracts';
import type { ProjectScope } from '../client/api';
import { collectFiles, type FilesSpec } from '../files/local-files';
import { sendDeclared } from '../client/transfer/send-declared';
import { projectUploadCalls } from '../client/transfer/upload-driver';
import { createUploadRuntime, declarationOf, hashFiles, type HashedFile, type TransferOptions } from '../files/upload-files';

export interface LogArtifactOptions extends TransferOptions {
  /** Aliases to point at this version besides `latest` (which the server moves itself), e.g. `production`. */
  aliases?: string[];
  metadata?: VersionMetadata;
  description?: string;
  /** The run that produced the version (id or key): an output in the lineage graph. */
  run?: string;
}

/** The committed version; `created` is false when identical content already was a version (nothing was uploaded). */
export type LoggedVersion = ArtifactVersion & { created: boolean };

/** Data that stays where it is, identified by a digest: `s3://bucket/key`, `https://…`. */
export interface ArtifactReference {
  uri: string;
  digest: string;
  size?: number;
}

/** How long answers of a redeclaration serve other files that need fresh URLs: well inside the URLs' minutes of validity. */
const REDECLARE_REUSE_MS = 60_000;

/**
 * Logs a version of an artifact from local files (see `FilesSpec`): hashes
 * them, declares the version, uploads what the server does not hold yet and
 * commits. Identical content is never a second version.
 */
export async function logArtifactFiles(
  scope: ProjectScope,
  name: string,
  kind: string,
  files: FilesSpec,
  options: LogArtifactOptions = {},
): Promise<LoggedVersion> {
  const hashed = await hashFiles(await collectFiles(files), options.concurrency);
  const chunks = chunk(hashed, STORAGE_LIMITS.filesPerRequest);
  // More than one declaration's worth: a partial draft, completed file chunk by chunk, compared when committed.
  const partial = chunks.length > 1;
  const body: CreateVersionRequest = {
    kind,
    files: (chunks[0] ?? []).map(declarationOf),
    ...versionDetails(options),
    ...(partial ? { partial } : {}),
  };
  const answer = await scope.api.createArtifactVersion(scope.org, scope.project, name, body);
  if (answer.version.state === 'committed') return { ...answer.version, created: answer.created };
  const draft = answer.version.id;
  const uploads = [...answer.uploads];
  for (const more of chunks.slice(1))
    uploads.push(...(await scope.api.addArtifactVersionFiles(scope.org, scope.project, name, draft, more.map(declarationOf))).files);

  const rt = createUploadRuntime(
    projectUploadCalls(scope.api, scope.org, scope.project),
    hashed.reduce((n, f) => n + f.size, 0),
    options,
  );
  const redeclare = partial ? draftRedeclarer(scope, name, draft) : redeclarer(scope, name, body);
  await sendDeclared(rt, uploads, hashed, redeclare, { concurrency: options.concurrency });
  const version = await scope.api.commitArtifactVersion(scope.org, scope.project, name, draft);
  // The server answers with another version when identical content was committed meanwhile (the draft is dropped).
  return { ...version, created: version.id === draft };
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** For a partial draft: the file's plan asked again of the draft itself. */
function draftRedeclarer(scope: ProjectScope, name: string, draft: string) {
  return async (file: HashedFile): Promise<UploadPlan | undefined> => {
    const answer = await scope.api.addArtifactVersionFiles(scope.org, scope.project, name, draft, [declarationOf(file)]);
    return answer.files[0]?.upload;
  };
}

/** Logs a version that points at data outside Trackbase; nothing is uploaded. */
export async function logArtifactReference(
  scope: ProjectScope,
  name: string,
  kind: string,
  reference: ArtifactReference,
  options: Omit<LogArtifactOptions, keyof TransferOptions> = {},
): Promise<LoggedVersion> {
  const answer = await scope.api.createArtifactVersion(scope.org, scope.project, name, { kind, reference, ...versionDetails(options) });
  return { ...answer.version, created: answer.created };
}

function versionDetails(options: LogArtifactOptions): Omit<CreateVersionRequest, 'kind' | 'files' | 'reference'> {
  return {
    ...(options.description !== undefined ? { description: options.description } : {}),
    ...(options.metadata ? { metadata: options.metadata } : {}),
    ...(options.run ? { run: options.run } : {}),
    ...(options.aliases?.length ? { aliases: options.aliases } : {}),
  };
}

/**
 * Declaring the version again returns the same draft with fresh plans for
 * every file. One answer serves all files that need a new URL within a
 * minute, so a slow upload of many files does not redeclare once per file;
 * a reset (the server discarded a file) always asks anew.
 */
function redeclarer(scope: ProjectScope, name: string, body: CreateVersionRequest) {
  let recent: { at: number; answer: Promise<CreateVersionResponse> } | null = null;
  return async (file: HashedFile, reason: 'renew' | 'reset'): Promise<UploadPlan | undefined> => {
    if (reason === 'reset' || !recent || Date.now() - recent.at > REDECLARE_REUSE_MS) {
      const asked = scope.api.createArtifactVersion(scope.org, scope.project, name, body);
      recent = { at: Date.now(), answer: asked };
      // A failed answer is not kept for the next file.
      asked.catch(() => {
        if (recent?.answer === asked) recent = null;
      });
    }
    const answer = await recent.answer;
    return answer.uploads.find((u) => u.file.path === file.remotePath)?.upload;
  };
}
