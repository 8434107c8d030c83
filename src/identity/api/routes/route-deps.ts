import type { FastifyRequest } from 'fastify';
import { Forbidden, unlessNotFound } from '../../../common/errors/errors.js';
import type { Credentials, PolicyEnforcer, PolicyTarget } from '../../../common/policy/policy.js';
import type { IdentityManagers } from '../../resources/index.js';

/** What the identity resource routes need from the composition root. */
export interface IdentityRouteDeps {
  readonly managers: IdentityManagers;
  readonly policy: PolicyEnforcer;
  /** The caller as policy sees them (set by the auth middleware before any route runs). */
  readonly credentialsOf: (request: FastifyRequest) => Credentials;
  /** Base URL clients reach the listener at (no trailing slash); links are `<publicUrl>/identity/v3/…`. */
  readonly publicUrl: string;
}

/** Enforces the action's policy rule for the caller of `request`; throws Forbidden, worded as Keystone words it. */
export function authorize(deps: IdentityRouteDeps, request: FastifyRequest, action: string, target: PolicyTarget = {}): void {
  if (!deps.policy.check(action, target, deps.credentialsOf(request))) {
    throw new Forbidden(`You are not authorized to perform the requested action: ${action}.`);
  }
}

/** Builds a policy target lazily, leaving out an entity that does not exist (Keystone defers the 404). */
export function targetOrEmpty<T>(load: () => Promise<T>): Promise<T | undefined> {
  return unlessNotFound(load);
}
