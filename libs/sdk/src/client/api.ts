import {
  paths,
  type ApiKey,
  type CreateApiKeyRequest,
  type CreatedApiKey,
  type TokenPair,
  type Artifact,
  type ArtifactDetail,
  type ArtifactVersion,
  type BatchAck,
  type CreateVersionRequest,
  type CreateVersionResponse,
  type CompleteUploadsResponse,
  type DeclareFilesResponse,
  type DeclareTablesResponse,
  type TableDeclaration,
  type TableList,
  type TableRows,
  type TableStats,
  type FileDeclaration,
  type FileListing,
  type FilePreview,
  type PartUrlsResponse,
  type ReportPartRequest,
  type SignedUrl,
  type StoredFile,
  type UploadStatus,
  type CreateRunRequest,
  type Comment,
  type CommentThread,
  type CreateReportCommentRequest,
  type CreatedShareLink,
  type CreateReportRequest,
  type CreateShareLinkRequest,
  type Report,
  type ReportData,
  type ReportDataRequest,
  type ReportHistory,
  type ReportList,
  type ReportVersion,
  type ShareLink,
  type SharedReport,
  type UpdateReportRequest,
  type ProjectTrashKind,
  type RetentionPlan,
  type RetentionPolicy,
  type RetentionPolicyResponse,
  type TrashList,
  type Org,
  type Project,
  type Run,
  type RunBatch,
  type RunDetail,
  type RunList,
  type UpdateRunRequest,
  type User,
} from '@trackbase/contracts';
import { HttpClient, type HttpOptions } from './http';

/** Typed calls to the Trackbase REST API; usable in Node and in browsers. */
export class TrackbaseApi {
  readonly http: HttpClient;

  constructor(options: HttpOptions | HttpClient) {
    this.http = options instanceof HttpClient ? options : new HttpClient(options);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  me = () => this.http.request<User>('GET', paths.me());
  apiKeys = () => this.http.request<ApiKey[]>('GET', paths.myApiKeys());
  /** Creating and revoking keys needs a signed-in session (an access token), never a key. */
  createApiKey = (body: CreateApiKeyRequest) => this.http.request<CreatedApiKey>('POST', paths.myApiKeys(), body);
  revokeApiKey = (id: string) => this.http.request<void>('DELETE', `${paths.myApiKeys()}/${encodeURIComponent(id)}`);
  login = (email: string, password: string) => this.http.request<TokenPair>('POST', paths.login(), { email, password }, 1);
  logout = (refreshToken: string) => this.http.request<void>('POST', paths.logout(), { refreshToken });
  orgs = () => this.http.request<Org[]>('GET', paths.orgs());
  projects = (org: string) => this.http.request<Project[]>('GET', paths.projects(org));
  createProject = (org: string, body: { name: string; slug?: string; description?: string; visibility?: 'private' | 'org' }) =>
    this.http.request<Project>('POST', paths.projects(org), body);
  createRun = (org: string, project: string, body: CreateRunRequest) => this.http.request<Run>('POST', paths.runs(org, project), body);
  getRun = (org: string, project: string, run: string) => this.http.request<RunDetail>('GET', paths.run(org, project, run));
  updateRun = (org: string, project: string, run: string, body: UpdateRunRequest) =>
    this.http.request<Run>('PATCH', paths.run(org, project, run), body);
  listRuns = (
    org: string,
    project: string,
    query: { filter?: string; sort?: string; limit?: number; cursor?: string; columns?: string[] } = {},
  ) => {
    const search = new URLSearchParams();
    if (query.filter) search.set('filter', query.filter);
    if (query.sort) search.set('sort', query.sort);
    if (query.limit) search.set('limit', String(query.limit));
    if (query.cursor) search.set('cursor', query.cursor);
    if (query.columns?.length) search.set('columns', query.columns.join(','));
    return this.http.request<RunList>('GET', `${paths.runs(org, project)}?${search}`);
  };
  sendBatch = (org: string, project: string, run: string, batch: RunBatch | string, attempts?: number) =>
    this.http.request<BatchAck>('POST', paths.runBatches(org, project, run), batch, attempts);
  heartbeat = (org: string, project: string, run: string) =>
    this.http.request<{ state: string }>('POST', paths.runHeartbeat(org, project, run), {}, 1);

  // Run files: declare (path, size, SHA-256) to get upload plans; list, sign downloads.
  declareRunFiles = (org: string, project: string, run: string, files: FileDeclaration[]) =>
    this.http.request<DeclareFilesResponse>('POST', paths.runFiles(org, project, run), { files });
  /** Content objects for media items: declared like run files (the path only names each in the answer), not listed among them. */
  declareMediaObjects = (org: string, project: string, run: string, files: FileDeclaration[]) =>
    this.http.request<DeclareFilesResponse>('POST', paths.runMediaObjects(org, project, run), { files });
  listRunFiles = (org: string, project: string, run: string, prefix?: string) =>
    this.http.request<FileListing>('GET', `${paths.runFiles(org, project, run)}${prefix ? `?prefix=${encodeURIComponent(prefix)}` : ''}`);
  runFileUrl = (org: string, project: string, run: string, path: string) =>
    this.http.request<SignedUrl>('GET', paths.runFileUrl(org, project, run, path));
  runFilePreview = (org: string, project: string, run: string, path: string) =>
    this.http.request<FilePreview>('GET', paths.runFilePreview(org, project, run, path));
  runFilesArchive = (org: string, project: string, run: string, prefix?: string) =>
    this.http.request<SignedUrl>('POST', paths.runFilesArchive(org, project, run), prefix ? { prefix } : {});

  // Tables logged by a run: declare (key, step, size, SHA-256 of the document), then query pages and statistics.
  declareRunTables = (org: string, project: string, run: string, tables: TableDeclaration[]) =>
    this.http.request<DeclareTablesResponse>('POST', paths.runTables(org, project, run), { tables });
  listRunTables = (org: string, project: string, run: string) => this.http.request<TableList>('GET', paths.runTables(org, project, run));
  runTableRows = (
    org: string,
    project: string,
    run: string,
    key: string,
    query: { step?: number; filter?: string; sort?: string; limit?: number; offset?: number } = {},
  ) => this.http.request<TableRows>('GET', `${paths.runTableRows(org, project, run, key)}${tableQuery(query)}`);
  runTableStats = (org: string, project: string, run: string, key: string, query: { step?: number; filter?: string } = {}) =>
    this.http.request<TableStats>('GET', `${paths.runTableStats(org, project, run, key)}${tableQuery(query)}`);

  // Uploads in progress (run files and artifact versions alike).
  uploadStatus = (org: string, project: string, uploadId: string) =>
    this.http.request<UploadStatus>('GET', paths.upload(org, project, uploadId));
  uploadPartUrls = (org: string, project: string, uploadId: string, parts: Array<{ partNumber: number; md5: string }>) =>
    this.http.request<PartUrlsResponse>('POST', paths.uploadPartUrls(org, project, uploadId), { parts });
  reportUploadPart = (org: string, project: string, uploadId: string, report: ReportPartRequest) =>
    this.http.request<UploadStatus>('POST', paths.uploadParts(org, project, uploadId), report);
  completeUploads = (org: string, project: string, uploadIds: string[]) =>
    this.http.request<CompleteUploadsResponse>('POST', paths.uploadsComplete(org, project), { uploads: uploadIds });
  completeUpload = (org: string, project: string, uploadId: string) =>
    this.http.request<UploadStatus>('POST', paths.uploadComplete(org, project, uploadId), {});

  // Artifacts: `version` is `v3`, an alias such as `latest`, or a draft's id.
  artifacts = (org: string, project: string, kind?: string) =>
    this.http.request<Artifact[]>('GET', `${paths.artifacts(org, project)}${kind ? `?kind=${encodeURIComponent(kind)}` : ''}`);
  artifact = (org: string, project: string, name: string) => this.http.request<ArtifactDetail>('GET', paths.artifact(org, project, name));
  createArtifactVersion = (org: string, project: string, name: string, body: CreateVersionRequest) =>
    this.http.request<CreateVersionResponse>('POST', paths.artifactVersions(org, project, name), body);
  addArtifactVersionFiles = (org: string, project: string, name: string, draftId: string, files: FileDeclaration[]) =>
    this.http.request<DeclareFilesResponse>('POST', paths.artifactVersionFiles(org, project, name, draftId), { files });
  commitArtifactVersion = (org: string, project: string, name: string, draftId: string) =>
    this.http.request<ArtifactVersion>('POST', paths.artifactVersionCommit(org, project, name, draftId), {});
  artifactVersion = (org: string, project: string, name: string, version: string) =>
    this.http.request<ArtifactVersion>('GET', paths.artifactVersion(org, project, name, version));
  artifactVersionFiles = (org: string, project: string, name: string, version: string) =>
    this.http.request<{ files: StoredFile[] }>('GET', paths.artifactVersionFiles(org, project, name, version));
  artifactVersionFileUrl = (org: string, project: string, name: string, version: string, path: string) =>
    this.http.request<SignedUrl>('GET', paths.artifactVersionFileUrl(org, project, name, version, path));
  useArtifactVersion = (org: string, project: string, name: string, version: string, run: string) =>
    this.http.request<ArtifactVersion>('POST', paths.artifactVersionUse(org, project, name, version), { run });
  setArtifactAlias = (org: string, project: string, name: string, alias: string, version: string) =>
    this.http.request<ArtifactVersion>('PUT', paths.artifactAlias(org, project, name, alias), { version });
  deleteArtifactAlias = (org: string, project: string, name: string, alias: string) =>
    this.http.request<void>('DELETE', paths.artifactAlias(org, project, name, alias));
  deleteArtifact = (org: string, project: string, name: string) => this.http.request<void>('DELETE', paths.artifact(org, project, name));
  deleteArtifactVersion = (org: string, project: string, name: string, version: string) =>
    this.http.request<void>('DELETE', paths.artifactVersion(org, project, name, version));
  deleteRun = (org: string, project: string, run: string) => this.http.request<void>('DELETE', paths.run(org, project, run));

  // Trash: deleted runs, artifacts, artifact versions and projects, restorable until the janitor purges them; retention policies move into it.
  trash = (org: string, project: string) => this.http.request<TrashList>('GET', paths.trash(org, project));
  restoreFromTrash = (org: string, project: string, kind: ProjectTrashKind, id: string) =>
    this.http.request<void>('POST', paths.trashItemRestore(org, project, kind, id), {});
  purgeFromTrash = (org: string, project: string, kind: ProjectTrashKind, id: string) =>
    this.http.request<void>('DELETE', paths.trashItem(org, project, kind, id));
  trashedProjects = (org: string) => this.http.request<TrashList>('GET', paths.trashedProjects(org));
  restoreProject = (org: string, id: string) => this.http.request<void>('POST', paths.trashedProjectRestore(org, id), {});
  purgeProject = (org: string, id: string) => this.http.request<void>('DELETE', paths.trashedProject(org, id));
  retentionPolicy = (org: string, project: string) => this.http.request<RetentionPolicyResponse>('GET', paths.retention(org, project));
  setRetentionPolicy = (org: string, project: string, policy: Partial<RetentionPolicy>) =>
    this.http.request<RetentionPolicyResponse>('PUT', paths.retention(org, project), policy);
  /** Dry run: what applying the policy now would remove. */
  previewRetention = (org: string, project: string) => this.http.request<RetentionPlan>('POST', paths.retentionPreview(org, project), {});
  applyRetention = (org: string, project: string) => this.http.request<RetentionPlan>('POST', paths.retentionApply(org, project), {});

  // Reports of an organization: Markdown and panels over run sets; publish snapshots the draft as a version.
  createReport = (org: string, body: CreateReportRequest) => this.http.request<Report>('POST', paths.reports(org), body);
  getReport = (org: string, report: string) => this.http.request<Report>('GET', paths.report(org, report));
  updateReport = (org: string, report: string, body: UpdateReportRequest) =>
    this.http.request<Report>('PATCH', paths.report(org, report), body);
  publishReport = (org: string, report: string) => this.http.request<ReportVersion>('POST', paths.reportPublish(org, report), {});
  reportData = (org: string, report: string, body: ReportDataRequest) =>
    this.http.request<ReportData>('POST', paths.reportData(org, report), body);
  createShareLink = (org: string, report: string, body: CreateShareLinkRequest = {}) =>
    this.http.request<CreatedShareLink>('POST', paths.reportShareLinks(org, report), body);
  listReports = (org: string) => this.http.request<ReportList>('GET', paths.reports(org));
  reportVersions = (org: string, report: string) => this.http.request<ReportHistory>('GET', paths.reportVersions(org, report));
  reportVersion = (org: string, report: string, version: number) =>
    this.http.request<ReportVersion>('GET', `${paths.reportVersions(org, report)}/${version}`);
  shareLinks = (org: string, report: string) => this.http.request<{ items: ShareLink[] }>('GET', paths.reportShareLinks(org, report));
  revokeShareLink = (org: string, report: string, link: string) =>
    this.http.request<void>('DELETE', paths.reportShareLink(org, report, link));
  /** What a share link shows; needs no credentials but the token. */
  // Comments on a report and its blocks (whoever reads the report); a share-link token reads none.
  reportComments = (org: string, report: string, query: { block?: string } = {}) =>
    this.http.request<CommentThread[]>(
      'GET',
      `${paths.reportComments(org, report)}${query.block ? `?block=${encodeURIComponent(query.block)}` : ''}`,
    );
  createReportComment = (org: string, report: string, body: CreateReportCommentRequest) =>
    this.http.request<Comment>('POST', paths.reportComments(org, report), body);
  updateReportComment = (org: string, report: string, id: string, body: string) =>
    this.http.request<Comment>('PATCH', paths.reportComment(org, report, id), { body });
  deleteReportComment = (org: string, report: string, id: string) =>
    this.http.request<void>('DELETE', paths.reportComment(org, report, id));

  sharedReport = (token: string) => this.http.request<SharedReport>('GET', paths.sharedReport(token));
  sharedReportData = (token: string, body: Omit<ReportDataRequest, 'version'>) =>
    this.http.request<ReportData>('POST', paths.sharedReportData(token), body);
  /** The report (the draft, or a published version) as one self-contained HTML file. */
  exportReport = (org: string, report: string, version?: number) =>
    this.http.request<string>('GET', `${paths.reportExport(org, report)}${version === undefined ? '' : `?version=${version}`}`);
  /** A share link's version as one self-contained HTML file. */
  sharedReportExport = (token: string) => this.http.request<string>('GET', paths.sharedReportExport(token));
}

function tableQuery(query: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `&${text}` : '';
}

/** A project on a server: what calls about its runs, files and artifacts need. */
export interface ProjectScope {
  api: TrackbaseApi;
  org: string;
  project: string;
}
