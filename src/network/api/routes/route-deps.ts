import type { FastifyRequest } from 'fastify';
import type { Credentials, PolicyEnforcer } from '../../../common/policy/policy.js';
import type { CorePlugin } from '../../plugin/network-plugin.js';

/** What the network routes need from the composition root. */
export interface NetworkRouteDeps {
  readonly plugin: CorePlugin;
  readonly policy: PolicyEnforcer;
  /** The caller as policy sees them (set by the auth middleware before any route runs). */
  readonly credentialsOf: (request: FastifyRequest) => Credentials;
  /** Base URL clients reach the listener at, for pagination links. */
  readonly publicUrl: string;
}
