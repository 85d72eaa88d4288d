import { randomUUID } from 'node:crypto';
import type { CreatedInvitation, CreatedServiceAccount, Org, OrgRole, Project, ProjectRole, TokenPair } from '@trackbase/contracts';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A thin HTTP client for tests: every call goes through the real server. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    public token?: string,
  ) {}

  as(token: string | undefined): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (this.token) (init.headers as Record<string, string>).authorization = `Bearer ${this.token}`;
    if (body !== undefined) {
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const url = path.startsWith('/api') || path.startsWith('/healthz') || path.startsWith('/readyz') ? path : `/api/v1${path}`;
    const response = await fetch(`${this.baseUrl}${url}`, init);
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* keep the text */
    }
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body ?? {});
  }
  patch<T = any>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body);
  }
  put<T = any>(path: string, body: unknown) {
    return this.request<T>('PUT', path, body);
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  tokens: TokenPair;
  api: ApiClient;
}

let counter = 0;
export function uniqueSlug(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${randomUUID().slice(0, 8)}`;
}

export async function signup(baseUrl: string, name = 'Test User'): Promise<TestUser> {
  const email = `${uniqueSlug('user')}@example.com`;
  const password = 'correct horse battery';
  const response = await new ApiClient(baseUrl).post<TokenPair>('/auth/signup', { email, password, name });
  if (response.status !== 201) throw new Error(`signup failed: ${response.status} ${JSON.stringify(response.body)}`);
  return { id: response.body.user.id, email, password, tokens: response.body, api: new ApiClient(baseUrl, response.body.accessToken) };
}

export async function createOrg(user: TestUser, slug = uniqueSlug('org')): Promise<Org> {
  const response = await user.api.post<Org>('/orgs', { name: `Org ${slug}`, slug });
  if (response.status !== 201) throw new Error(`create org failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

export async function createProject(
  user: TestUser,
  org: string,
  visibility: 'private' | 'org' = 'private',
  slug = uniqueSlug('proj'),
): Promise<Project> {
  const response = await user.api.post<Project>(`/orgs/${org}/projects`, { name: `Project ${slug}`, slug, visibility });
  if (response.status !== 201) throw new Error(`create project failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** Invites a fresh user into `org` with `role` and has them accept. */
export async function addOrgMember(owner: TestUser, org: string, role: OrgRole, name = `member-${role}`): Promise<TestUser> {
  const member = await signup(owner.api.baseUrl, name);
  const invitation = await owner.api.post<CreatedInvitation>(`/orgs/${org}/invitations`, { email: member.email, role });
  if (invitation.status !== 201) throw new Error(`invite failed: ${invitation.status} ${JSON.stringify(invitation.body)}`);
  const accepted = await member.api.post(`/invitations/${invitation.body.token}/accept`);
  if (accepted.status !== 200) throw new Error(`accept failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  return member;
}

export async function setProjectRole(maintainer: TestUser, org: string, project: string, userId: string, role: ProjectRole): Promise<void> {
  const response = await maintainer.api.put(`/orgs/${org}/projects/${project}/members/${userId}`, { role });
  if (response.status !== 200) throw new Error(`set project role failed: ${response.status} ${JSON.stringify(response.body)}`);
}

export async function createServiceAccount(
  owner: TestUser,
  org: string,
  role: Exclude<OrgRole, 'owner'> = 'member',
): Promise<CreatedServiceAccount> {
  const response = await owner.api.post<CreatedServiceAccount>(`/orgs/${org}/service-accounts`, { name: uniqueSlug('bot'), role });
  if (response.status !== 201) throw new Error(`service account failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}
