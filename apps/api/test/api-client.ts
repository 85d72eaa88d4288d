import { randomUUID } from 'node:crypto';
import { HttpClient, type HttpExchange } from '@trackbase/sdk/client';
import type { CreatedInvitation, CreatedServiceAccount, Org, OrgRole, Project, ProjectRole, TokenPair } from '@trackbase/contracts';

/** One answer as it came: status, parsed JSON (or the text), headers. */
export type ApiResponse<T = any> = HttpExchange<T>;

/**
 * A thin HTTP client for tests: every call goes through the real server, one
 * attempt, whatever the status (the SDK client's `exchange`, without retries,
 * so tests see each answer).
 */
export class ApiClient {
  private readonly http: HttpClient;

  constructor(
    readonly baseUrl: string,
    public token?: string,
  ) {
    this.http = new HttpClient({ baseUrl, token: () => this.token });
  }

  as(token: string | undefined): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const url = path.startsWith('/api') || path.startsWith('/healthz') || path.startsWith('/readyz') ? path : `/api/v1${path}`;
    return this.http.exchange<T>(method, url, body, headers);
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

export async function signup(baseUrl: string, name = 'Test User', email = `${uniqueSlug('user')}@example.com`): Promise<TestUser> {
  const password = 'correct horse battery';
  const anonymous = new ApiClient(baseUrl);
  const accepted = await anonymous.post('/auth/signup', { email, password, name });
  if (accepted.status !== 202) throw new Error(`signup failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  // Sign-up answers alike whether or not the email was free; signing in is how the new account is used.
  const response = await anonymous.post<TokenPair>('/auth/login', { email, password });
  if (response.status !== 200) throw new Error(`sign-in after signup failed: ${response.status} ${JSON.stringify(response.body)}`);
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
