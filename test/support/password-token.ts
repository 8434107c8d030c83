/**
 * A Keystone password token for the user of an `openstack` CLI environment, scoped to its
 * project, as `openstack token issue` gets it: the one token request of the tests and benches.
 */
import type { OpenstackEnv } from './openstack-cli.js';

/** A token request that cannot hang: a cloud that never answers fails the caller instead of stalling it. */
const NO_HANG_MS = 15_000;

/** Asks the cloud at `base` (`http://host:port`) for the env's user's token: the response as it comes. */
export function requestPasswordToken(base: string, env: OpenstackEnv): Promise<Response> {
  return fetch(`${base}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: env['OS_USERNAME'], domain: { name: env['OS_USER_DOMAIN_NAME'] ?? 'Default' }, password: env['OS_PASSWORD'] } },
        },
        scope: { project: { name: env['OS_PROJECT_NAME'], domain: { name: env['OS_PROJECT_DOMAIN_NAME'] ?? 'Default' } } },
      },
    }),
    signal: AbortSignal.timeout(NO_HANG_MS),
  });
}

/** The env's user's token and the id of its project, failing unless Keystone issues one (201). */
export async function issuePasswordToken(base: string, env: OpenstackEnv): Promise<{ token: string; projectId: string }> {
  const response = await requestPasswordToken(base, env);
  const body = (await response.json()) as { token?: { project?: { id?: string } } };
  if (response.status !== 201) throw new Error(`token for ${env['OS_USERNAME'] ?? '?'}: ${response.status} ${JSON.stringify(body)}`);
  return { token: response.headers.get('x-subject-token') ?? '', projectId: String(body.token?.project?.id) };
}
