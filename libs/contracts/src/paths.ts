/**
 * REST paths, relative to the server origin. The API's controllers and the SDK
 * both build URLs from here so they cannot drift.
 */
export const API_BASE = '/api/v1';

const seg = encodeURIComponent;

export const paths = {
  signup: () => `${API_BASE}/auth/signup`,
  login: () => `${API_BASE}/auth/login`,
  refresh: () => `${API_BASE}/auth/refresh`,
  logout: () => `${API_BASE}/auth/logout`,
  ssoDiscover: () => `${API_BASE}/auth/sso/discover`,
  ssoStart: (org: string) => `${API_BASE}/auth/sso/${seg(org)}/start`,
  ssoCallback: (org: string) => `${API_BASE}/auth/sso/${seg(org)}/callback`,
  ssoExchange: () => `${API_BASE}/auth/sso/exchange`,
  orgSso: (org: string) => `${API_BASE}/orgs/${seg(org)}/sso`,
  orgScimTokens: (org: string) => `${API_BASE}/orgs/${seg(org)}/scim-tokens`,
  orgScimToken: (org: string, id: string) => `${API_BASE}/orgs/${seg(org)}/scim-tokens/${seg(id)}`,
  /** The SCIM 2.0 base URL an identity provider is given (outside /api/v1, as provisioning clients expect). */
  scimBase: (org: string) => `/scim/v2/${seg(org)}`,
  orgSsoDomains: (org: string) => `${API_BASE}/orgs/${seg(org)}/sso/domains`,
  orgSsoDomain: (org: string, domain: string) => `${API_BASE}/orgs/${seg(org)}/sso/domains/${seg(domain)}`,
  orgSsoDomainVerify: (org: string, domain: string) => `${API_BASE}/orgs/${seg(org)}/sso/domains/${seg(domain)}/verify`,
  samlMetadata: (org: string) => `${API_BASE}/auth/sso/${seg(org)}/saml/metadata`,
  samlAcs: (org: string) => `${API_BASE}/auth/sso/${seg(org)}/saml/acs`,
  samlReturn: (org: string) => `${API_BASE}/auth/sso/${seg(org)}/saml/return`,
  me: () => `${API_BASE}/users/me`,
  myApiKeys: () => `${API_BASE}/users/me/api-keys`,
  mySessions: () => `${API_BASE}/users/me/sessions`,
  loginTwoFactor: () => `${API_BASE}/auth/login/two-factor`,
  verifyEmail: () => `${API_BASE}/auth/verify-email`,
  passwordResetRequest: () => `${API_BASE}/auth/password-reset/request`,
  passwordReset: () => `${API_BASE}/auth/password-reset`,
  mySecurity: () => `${API_BASE}/users/me/security`,
  myVerificationEmail: () => `${API_BASE}/users/me/verification-email`,
  myTwoFactor: (step: 'enrol' | 'confirm' | 'disable' | 'recovery-codes') => `${API_BASE}/users/me/two-factor/${step}`,
  myEmailPreferences: () => `${API_BASE}/users/me/email-preferences`,
  orgSecurity: (org: string) => `${API_BASE}/orgs/${seg(org)}/security`,
  orgs: () => `${API_BASE}/orgs`,
  org: (org: string) => `${API_BASE}/orgs/${seg(org)}`,
  projects: (org: string) => `${API_BASE}/orgs/${seg(org)}/projects`,
  project: (org: string, project: string) => `${API_BASE}/orgs/${seg(org)}/projects/${seg(project)}`,
  runs: (org: string, project: string) => `${paths.project(org, project)}/runs`,
  run: (org: string, project: string, run: string) => `${paths.runs(org, project)}/${seg(run)}`,
  runBatches: (org: string, project: string, run: string) => `${paths.run(org, project, run)}/batches`,
  runHeartbeat: (org: string, project: string, run: string) => `${paths.run(org, project, run)}/heartbeat`,
  runSeries: (org: string, project: string, run: string) => `${paths.run(org, project, run)}/series`,
  runSeriesCsv: (org: string, project: string, run: string, name: string) => `${paths.run(org, project, run)}/series/${seg(name)}.csv`,
  projectSeries: (org: string, project: string) => `${paths.project(org, project)}/series`,
  seriesQuery: (org: string, project: string) => `${paths.project(org, project)}/series/query`,
  lineage: (org: string, project: string) => `${paths.project(org, project)}/lineage`,
  /** Every column the runs table can show: params, metric summaries, tags, attributes. */
  runColumns: (org: string, project: string) => `${paths.project(org, project)}/columns`,
  views: (org: string, project: string) => `${paths.project(org, project)}/views`,
  view: (org: string, project: string, id: string) => `${paths.views(org, project)}/${seg(id)}`,
  viewDefault: (org: string, project: string, id: string) => `${paths.view(org, project, id)}/default`,
  runFiles: (org: string, project: string, run: string) => `${paths.run(org, project, run)}/files`,
  runFileUrl: (org: string, project: string, run: string, path: string) => `${paths.runFiles(org, project, run)}/url?path=${seg(path)}`,
  runFilePreview: (org: string, project: string, run: string, path: string) =>
    `${paths.runFiles(org, project, run)}/preview?path=${seg(path)}`,
  runFilesArchive: (org: string, project: string, run: string) => `${paths.runFiles(org, project, run)}/archive`,
  /** Content objects of media items (declared like run files, not listed among them). */
  runMediaObjects: (org: string, project: string, run: string) => `${paths.run(org, project, run)}/media/objects`,
  runMedia: (org: string, project: string, run: string) => `${paths.run(org, project, run)}/media`,
  runMediaKeys: (org: string, project: string, run: string) => `${paths.run(org, project, run)}/media/keys`,
  runMediaDocument: (org: string, project: string, run: string) => `${paths.run(org, project, run)}/media/document`,
  mediaGrid: (org: string, project: string) => `${paths.project(org, project)}/media/grid`,
  runTables: (org: string, project: string, run: string) => `${paths.run(org, project, run)}/tables`,
  runTableRows: (org: string, project: string, run: string, key: string) => `${paths.runTables(org, project, run)}/rows?key=${seg(key)}`,
  runTableStats: (org: string, project: string, run: string, key: string) => `${paths.runTables(org, project, run)}/stats?key=${seg(key)}`,
  compareTables: (org: string, project: string) => `${paths.project(org, project)}/tables/compare`,
  upload: (org: string, project: string, uploadId: string) => `${paths.project(org, project)}/uploads/${seg(uploadId)}`,
  /** Completes up to 100 uploads in one request. */
  uploadsComplete: (org: string, project: string) => `${paths.project(org, project)}/uploads/complete`,
  uploadPartUrls: (org: string, project: string, uploadId: string) => `${paths.upload(org, project, uploadId)}/part-urls`,
  uploadParts: (org: string, project: string, uploadId: string) => `${paths.upload(org, project, uploadId)}/parts`,
  uploadComplete: (org: string, project: string, uploadId: string) => `${paths.upload(org, project, uploadId)}/complete`,
  artifacts: (org: string, project: string) => `${paths.project(org, project)}/artifacts`,
  trash: (org: string, project: string) => `${paths.project(org, project)}/trash`,
  trashItem: (org: string, project: string, kind: 'run' | 'artifact' | 'artifact_version', id: string) =>
    `${paths.trash(org, project)}/${seg(kind)}/${seg(id)}`,
  trashItemRestore: (org: string, project: string, kind: 'run' | 'artifact' | 'artifact_version', id: string) =>
    `${paths.trashItem(org, project, kind, id)}/restore`,
  trashedProjects: (org: string) => `${paths.org(org)}/trash/projects`,
  trashedProject: (org: string, id: string) => `${paths.trashedProjects(org)}/${seg(id)}`,
  trashedProjectRestore: (org: string, id: string) => `${paths.trashedProject(org, id)}/restore`,
  retention: (org: string, project: string) => `${paths.project(org, project)}/retention`,
  retentionPreview: (org: string, project: string) => `${paths.retention(org, project)}/preview`,
  retentionApply: (org: string, project: string) => `${paths.retention(org, project)}/apply`,
  artifact: (org: string, project: string, name: string) => `${paths.artifacts(org, project)}/${seg(name)}`,
  artifactVersions: (org: string, project: string, name: string) => `${paths.artifact(org, project, name)}/versions`,
  /** `version` is `v3`, an alias such as `latest`, or a draft's id. */
  artifactVersion: (org: string, project: string, name: string, version: string) =>
    `${paths.artifactVersions(org, project, name)}/${seg(version)}`,
  artifactVersionCommit: (org: string, project: string, name: string, version: string) =>
    `${paths.artifactVersion(org, project, name, version)}/commit`,
  artifactVersionFiles: (org: string, project: string, name: string, version: string) =>
    `${paths.artifactVersion(org, project, name, version)}/files`,
  artifactVersionFileUrl: (org: string, project: string, name: string, version: string, path: string) =>
    `${paths.artifactVersionFiles(org, project, name, version)}/url?path=${seg(path)}`,
  artifactVersionFilePreview: (org: string, project: string, name: string, version: string, path: string) =>
    `${paths.artifactVersionFiles(org, project, name, version)}/preview?path=${seg(path)}`,
  artifactVersionUse: (org: string, project: string, name: string, version: string) =>
    `${paths.artifactVersion(org, project, name, version)}/use`,
  artifactAlias: (org: string, project: string, name: string, alias: string) =>
    `${paths.artifact(org, project, name)}/aliases/${seg(alias)}`,
  /** A README's current text (GET, PUT); `/versions`, `/versions/{n}` and `/diff?from=&to=` below it. */
  projectReadme: (org: string, project: string) => `${paths.project(org, project)}/readme`,
  runReadme: (org: string, project: string, run: string) => `${paths.run(org, project, run)}/readme`,
  artifactReadme: (org: string, project: string, name: string) => `${paths.artifact(org, project, name)}/readme`,
  reports: (org: string) => `${API_BASE}/orgs/${seg(org)}/reports`,
  report: (org: string, report: string) => `${paths.reports(org)}/${seg(report)}`,
  reportPublish: (org: string, report: string) => `${paths.report(org, report)}/publish`,
  reportVersions: (org: string, report: string) => `${paths.report(org, report)}/versions`,
  reportData: (org: string, report: string) => `${paths.report(org, report)}/data`,
  reportShareLinks: (org: string, report: string) => `${paths.report(org, report)}/share-links`,
  reportExport: (org: string, report: string) => `${paths.report(org, report)}/export`,
  reportShareLink: (org: string, report: string, link: string) => `${paths.reportShareLinks(org, report)}/${seg(link)}`,
  reportComments: (org: string, report: string) => `${paths.report(org, report)}/comments`,
  reportComment: (org: string, report: string, id: string) => `${paths.reportComments(org, report)}/${seg(id)}`,
  sharedReport: (token: string) => `${API_BASE}/shared/reports/${seg(token)}`,
  sharedReportData: (token: string) => `${paths.sharedReport(token)}/data`,
  sharedReportExport: (token: string) => `${paths.sharedReport(token)}/export`,
  orgStorage: (org: string) => `${paths.org(org)}/storage`,
  /** The local store's signed object URLs, served by the API itself. */
  localObject: (token: string) => `${API_BASE}/storage/objects/${seg(token)}`,
  /** Signed archive URLs (a directory of a run as one .tar download). */
  archive: (token: string) => `${API_BASE}/storage/archives/${seg(token)}`,
  /** The web app's page for a run. */
  runPage: (org: string, project: string, runKey: string) => `/${seg(org)}/${seg(project)}/runs/${seg(runKey)}`,
};
