/**
 * One server action of POST /servers/{id}/action (Nova dispatches on the body's single key): its
 * key, the schema of its value, the policy rule it needs and what it does. Each group of actions
 * lives in its own file beside this one; index.ts lists them all.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../../../../common/context/request-context.js';
import type { PolicyTarget } from '../../../../common/policy/policy.js';
import type { Server } from '../../../servers/server.js';
import type { ServersService } from '../../../servers/servers-service.js';
import type { ComputeRouteDeps } from '../route-deps.js';

/** An action that takes no arguments: `{"pause": null}` (or `{}`, which Nova accepts too). */
export const NoArgs = Type.Union([Type.Null(), Type.Object({}, { additionalProperties: false })]);

export interface ServerActionCall<B> {
  readonly request: FastifyRequest;
  readonly context: RequestContext;
  /** The server, already looked up as the caller may see it (another project's is 404). */
  readonly server: Server;
  readonly target: PolicyTarget;
  readonly body: B;
  readonly deps: ComputeRouteDeps;
  readonly servers: ServersService;
}

/** What the action answers; nothing means 202 with an empty body. */
export interface ServerActionReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ServerAction<S extends TSchema = TSchema> {
  readonly key: string;
  readonly schema: S;
  /** Nova's policy rule, checked against the server's owner before `run`. */
  readonly policy: string;
  run(call: ServerActionCall<Static<S>>): Promise<ServerActionReply | void>;
}

/** Declares an action with its body type taken from its schema (the list in index.ts holds them erased). */
export function serverAction<S extends TSchema>(action: ServerAction<S>): ServerAction {
  return action;
}
