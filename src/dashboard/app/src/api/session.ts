import { callApi } from './http.js';

/** The identity API on this origin: the dashboard's auth URL, as OS_AUTH_URL is the CLI's. */
const IDENTITY = `${location.origin}/identity/v3`;
const STORAGE_KEY = 'nimbus-dashboard-session';

interface CatalogEntry {
  readonly type: string;
  readonly endpoints: readonly { readonly interface: string; readonly url: string }[];
}

interface TokenBody {
  readonly token: {
    readonly expires_at: string;
    readonly user: { readonly id: string; readonly name: string };
    readonly project?: { readonly id: string; readonly name: string };
    readonly roles?: readonly { readonly name: string }[];
    readonly catalog?: readonly CatalogEntry[];
  };
}

export interface Project {
  readonly id: string;
  readonly name: string;
}

/** A project-scoped token and what came with it. */
export interface Session {
  /**
   * The unscoped token of the login, which project tokens are rescoped from: revoking it (log out)
   * revokes every token made from it.
   */
  readonly loginToken: string;
  readonly token: string;
  readonly expiresAt: string;
  readonly userName: string;
  readonly project: Project;
  readonly roles: readonly string[];
  /** Public endpoint URL by service type, from the token's catalog. */
  readonly endpoints: Readonly<Record<string, string>>;
}

/** The catalog's URL on the page's own origin: the dashboard is served by the same listener. */
function sameOrigin(url: string): string {
  const parsed = new URL(url);
  return `${location.origin}${parsed.pathname}`.replace(/\/$/, '');
}

function sessionOf(loginToken: string, token: string, body: TokenBody): Session {
  const { project } = body.token;
  if (project === undefined) throw new Error('The token is not scoped to a project');
  const endpoints: Record<string, string> = {};
  for (const entry of body.token.catalog ?? []) {
    const endpoint = entry.endpoints.find((e) => e.interface === 'public');
    if (endpoint !== undefined) endpoints[entry.type] = sameOrigin(endpoint.url);
  }
  return {
    loginToken,
    token,
    expiresAt: body.token.expires_at,
    userName: body.token.user.name,
    project,
    roles: (body.token.roles ?? []).map((role) => role.name),
    endpoints,
  };
}

async function issueToken(auth: unknown): Promise<{ token: string; body: TokenBody }> {
  const { body, headers } = await callApi<TokenBody>(`${IDENTITY}/auth/tokens`, { method: 'POST', body: { auth } });
  const token = headers.get('x-subject-token');
  if (token === null) throw new Error('Identity answered without a token');
  return { token, body };
}

/** Projects the holder of `token` has a role on (GET /v3/auth/projects). */
export async function listMyProjects(token: string): Promise<Project[]> {
  const { body } = await callApi<{ projects: Project[] }>(`${IDENTITY}/auth/projects`, { token });
  return body.projects.sort((a, b) => a.name.localeCompare(b.name));
}

/** A token for `projectId` made from the login's unscoped token (Keystone's token method). */
export async function rescope(loginToken: string, projectId: string): Promise<Session> {
  const issued = await issueToken({ identity: { methods: ['token'], token: { id: loginToken } }, scope: { project: { id: projectId } } });
  return sessionOf(loginToken, issued.token, issued.body);
}

/** Password login: an unscoped token first, then one rescoped to the user's first project. */
export async function logIn(domain: string, user: string, password: string): Promise<Session> {
  const unscoped = await issueToken({ identity: { methods: ['password'], password: { user: { name: user, domain: { name: domain }, password } } } });
  try {
    const first = (await listMyProjects(unscoped.token))[0];
    if (first === undefined) throw new Error(`User ${user} has no role on any project`);
    return await rescope(unscoped.token, first.id);
  } catch (err) {
    await revoke(unscoped.token, unscoped.token).catch(() => undefined);
    throw err;
  }
}

/** Revokes `subject` and the tokens made from it (DELETE /v3/auth/tokens); a token may revoke itself. */
export async function revoke(token: string, subject: string): Promise<void> {
  await callApi(`${IDENTITY}/auth/tokens`, { method: 'DELETE', token, headers: { 'x-subject-token': subject } });
}

/** Kept in sessionStorage (this tab only) and dropped once the token expires. */
export function saveSession(session: Session | undefined): void {
  if (session === undefined) sessionStorage.removeItem(STORAGE_KEY);
  else sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function restoreSession(): Session | undefined {
  const text = sessionStorage.getItem(STORAGE_KEY);
  if (text === null) return undefined;
  const session = JSON.parse(text) as Session;
  if (Date.parse(session.expiresAt) <= Date.now()) {
    sessionStorage.removeItem(STORAGE_KEY);
    return undefined;
  }
  return session;
}
