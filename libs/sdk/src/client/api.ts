import {
  paths,
  type ApiKey,
  type BatchAck,
  type CreateRunRequest,
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

  constructor(options: HttpOptions) {
    this.http = new HttpClient(options);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  me = () => this.http.request<User>('GET', paths.me());
  apiKeys = () => this.http.request<ApiKey[]>('GET', paths.myApiKeys());
  orgs = () => this.http.request<Org[]>('GET', paths.orgs());
  projects = (org: string) => this.http.request<Project[]>('GET', paths.projects(org));
  createProject = (org: string, body: { name: string; slug?: string; description?: string; visibility?: 'private' | 'org' }) =>
    this.http.request<Project>('POST', paths.projects(org), body);
  createRun = (org: string, project: string, body: CreateRunRequest) => this.http.request<Run>('POST', paths.runs(org, project), body);
  getRun = (org: string, project: string, run: string) => this.http.request<RunDetail>('GET', paths.run(org, project, run));
  updateRun = (org: string, project: string, run: string, body: UpdateRunRequest) => this.http.request<Run>('PATCH', paths.run(org, project, run), body);
  listRuns = (org: string, project: string, query: { filter?: string; sort?: string; limit?: number; cursor?: string; columns?: string[] } = {}) => {
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
  heartbeat = (org: string, project: string, run: string) => this.http.request<{ state: string }>('POST', paths.runHeartbeat(org, project, run), {}, 1);
}
