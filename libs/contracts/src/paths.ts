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
  me: () => `${API_BASE}/users/me`,
  myApiKeys: () => `${API_BASE}/users/me/api-keys`,
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
  lineage: (org: string, project: string) => `${paths.project(org, project)}/lineage`,
  /** The web app's page for a run. */
  runPage: (org: string, project: string, runKey: string) => `/${seg(org)}/${seg(project)}/runs/${seg(runKey)}`,
};
