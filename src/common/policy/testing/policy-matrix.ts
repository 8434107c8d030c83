/**
 * Test-only: the policy matrix. For every route a service registers, the status each persona
 * must get from a valid request, as Zed's default policies decide it; each service's matrix test
 * builds its route-test app behind the real auth middleware, makes a fresh resource owned by the
 * owning project for every request, and compares. A route without a row fails the test by name.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

/**
 * The callers: the cloud administrator (in a project of its own), a member of the project that
 * owns the resource, a member of another project, a reader (only) of the owning project, and a
 * request without a token.
 */
export const PERSONAS = ['admin', 'member', 'otherMember', 'reader', 'anonymous'] as const;
export type Persona = (typeof PERSONAS)[number];
export type Expectation = Readonly<Record<Persona, number>>;

/** A persona's statuses in PERSONAS order; a request without a token gets 401 unless said otherwise. */
export function statuses(admin: number, member: number, otherMember: number, reader: number, anonymous = 401): Expectation {
  return { admin, member, otherMember, reader, anonymous };
}

/** The request a row sends, relative to the service's API root. */
export interface MatrixRequest {
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A difference from Zed kept on purpose for now: what Nimbus answers instead, and why. */
export interface KnownDifference {
  readonly nimbus: Partial<Expectation>;
  readonly reason: string;
}

export interface MatrixRow<Fx> {
  /** `METHOD /path/:param` as registered (under the service's prefix), `… <key>` for one action of a multiplexed route. */
  readonly route: string;
  /** Which case of the route this row is, when several rows share one (an action name). */
  readonly case?: string;
  /** What Zed's defaults give each persona. */
  readonly zed: Expectation;
  /** Builds a valid request, on resources made fresh for each persona (so a delete leaves the next its own). */
  readonly request: (fx: Fx) => MatrixRequest | Promise<MatrixRequest>;
  readonly differs?: KnownDifference;
}

/** Records (into `routes`) every route an app registers as `METHOD /url` with `prefix` cut off; auto-generated HEAD routes are left out. */
export function recordRoutes(app: FastifyInstance, prefix: string, routes: string[] = []): string[] {
  const headTwins = new Set<string>();
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const url = (route.url.startsWith(prefix) ? route.url.slice(prefix.length) : route.url) || '/';
    for (const method of methods) {
      // Fastify adds a HEAD twin to each GET (exposeHeadRoutes); it answers as the GET does.
      if (method === 'HEAD' && headTwins.has(url)) continue;
      if (method === 'GET' && route.exposeHeadRoute !== false) headTwins.add(url);
      routes.push(`${method} ${url}`);
    }
  });
  return routes;
}

export interface MatrixRun<Fx> {
  /** Route keys as registered, plus `… <key>` for each action of a multiplexed route. */
  readonly registered: readonly string[];
  readonly rows: readonly MatrixRow<Fx>[];
  /** What rows make their resources with (each request of each persona gets resources of its own). */
  readonly fixture: Fx;
  /** Sends the request as the persona (no token for `anonymous`) and returns the status. */
  readonly send: (persona: Persona, method: string, request: MatrixRequest) => Promise<number>;
}

/**
 * Runs every row as every persona and returns the problems, one line each: a route without a
 * row, a row for no route, a status other than the expected one, and a known difference that no
 * longer differs (remove it from the table).
 */
export async function runPolicyMatrix<Fx>(run: MatrixRun<Fx>): Promise<string[]> {
  const problems: string[] = [];
  const covered = new Set(run.rows.map((row) => row.route));
  for (const route of run.registered) if (!covered.has(route)) problems.push(`${route}: registered but has no policy matrix row`);
  const registered = new Set(run.registered);
  for (const row of run.rows) {
    if (!registered.has(row.route)) {
      problems.push(`${row.route}: a policy matrix row for a route that is not registered`);
      continue;
    }
    const method = row.route.slice(0, row.route.indexOf(' '));
    const name = row.case === undefined ? row.route : `${row.route} (${row.case})`;
    const expected: Expectation = { ...row.zed, ...row.differs?.nimbus };
    if (row.differs !== undefined && PERSONAS.every((persona) => expected[persona] === row.zed[persona])) {
      problems.push(`${name}: a known difference that states no difference`);
    }
    for (const persona of PERSONAS) {
      const status = await run.send(persona, method, await row.request(run.fixture));
      if (status === expected[persona]) continue;
      const note = row.differs === undefined ? '' : ` (a known difference: ${row.differs.reason}; if Nimbus now matches Zed, remove it)`;
      problems.push(`${name} as ${persona}: got ${status}, expected ${expected[persona]}${note}`);
    }
  }
  return problems;
}

/** The project that owns the resource of every row. */
export const OWNING_PROJECT = 'owner-project';
export const OTHER_PROJECT = 'other-project';

/** The personas' tokens for personaTokenValidator: a token is the persona's name. */
export const PROJECT_PERSONAS = {
  admin: { userId: 'admin', projectId: 'admin-project', roles: ['admin', 'member', 'reader'] },
  member: { userId: `user-of-${OWNING_PROJECT}`, projectId: OWNING_PROJECT, roles: ['member', 'reader'] },
  otherMember: { userId: `user-of-${OTHER_PROJECT}`, projectId: OTHER_PROJECT, roles: ['member', 'reader'] },
  reader: { userId: `reader-of-${OWNING_PROJECT}`, projectId: OWNING_PROJECT, roles: ['reader'] },
} as const;

/** The X-Auth-Token header of a persona (none for `anonymous`). */
export function tokenHeader(persona: Persona): Record<string, string> {
  return persona === 'anonymous' ? {} : { 'x-auth-token': persona };
}
