/**
 * /v2.1/nimbus/faults, the API's side (a Nimbus extension, admin only): checks an injection, writes
 * it, and casts it to its host's agent (which also reads the host's injections at start, so one
 * made while the agent is away acts when it returns). Clearing works the same way.
 */
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../../common/context/request-context.js';
import { BadRequest, NotFound } from '../../common/errors/errors.js';
import { toDbTimestamp } from '../../common/db/timestamps.js';
import { getLogger } from '../../common/logging/logger.js';
import type { ServiceRegistry } from '../../common/service/service-registry.js';
import { COMPUTE_BINARY, type ComputeAgentApi } from '../agent/rpc-api.js';
import { faultOfRow, type FaultInjectionStore } from '../db/fault-injection-store.js';
import { describeFault, DRIVER_FAULT_KINDS, driverOperationOf, stepName, STEP_NAMES, type FaultInjection, type FaultKind } from './fault-injection.js';

const LOG = getLogger('nimbus.compute.faults');

/** What the admin asks for (the API's body, in the service's words). */
export interface FaultRequest {
  readonly host: string;
  readonly kind: FaultKind;
  readonly operation?: string;
  readonly instanceUuid?: string;
  readonly delayMs?: number;
  readonly count?: number;
  readonly durationSeconds?: number;
}

export class FaultInjections {
  constructor(
    private readonly store: FaultInjectionStore,
    private readonly registry: ServiceRegistry,
    private readonly agents: ComputeAgentApi,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(context: RequestContext, request: FaultRequest): Promise<FaultInjection> {
    const operation = checkRequest(request);
    if ((await this.registry.list({ binary: COMPUTE_BINARY, host: request.host })).length === 0) {
      throw new NotFound(`Compute host ${request.host} could not be found.`);
    }
    const now = this.now();
    const counted = DRIVER_FAULT_KINDS.includes(request.kind) && request.durationSeconds === undefined ? 1 : null;
    const id = randomUUID();
    await this.store.insert({
      id,
      host: request.host,
      kind: request.kind,
      operation,
      instance_uuid: request.instanceUuid ?? null,
      delay_ms: request.delayMs ?? null,
      remaining: request.count ?? counted,
      expires_at: request.durationSeconds === undefined ? null : toDbTimestamp(new Date(now.getTime() + request.durationSeconds * 1000)),
      created_at: toDbTimestamp(now),
      request_id: context.requestId,
      user_id: context.userId ?? null,
      ended_at: null,
      end_reason: null,
    });
    const fault = faultOfRow((await this.store.get(id)) ?? unreachable(id));
    LOG.warning(`Created ${describeFault(fault)}`);
    await this.agents.cast(fault.host, 'inject_fault', { fault });
    return fault;
  }

  /** The injections acting now, of one host or all. */
  async list(host?: string): Promise<FaultInjection[]> {
    return (await this.store.active(this.now(), host)).map(faultOfRow);
  }

  /** Ends an injection still acting; 404 for one unknown or ended. */
  async clear(id: string): Promise<void> {
    const row = await this.store.get(id);
    const active = row === undefined ? [] : await this.store.active(this.now(), row.host);
    if (row === undefined || !active.some((found) => found.id === id)) throw new NotFound(`Fault injection ${id} could not be found.`);
    await this.store.end(id, 'cleared', this.now());
    LOG.warning(`Cleared ${describeFault(faultOfRow(row))}`);
    await this.agents.cast(row.host, 'clear_fault', { id });
  }
}

function unreachable(id: string): never {
  throw new Error(`fault injection ${id} vanished after it was written`);
}

/** What each kind takes; answers the operation's step name (null: every step). */
function checkRequest(request: FaultRequest): string | null {
  const driverKind = DRIVER_FAULT_KINDS.includes(request.kind);
  if (!driverKind) {
    for (const [field, value] of [['operation', request.operation], ['instance', request.instanceUuid], ['count', request.count]] as const) {
      if (value !== undefined) throw new BadRequest(`'${field}' does not apply to a ${request.kind} fault injection.`);
    }
    if (request.durationSeconds === undefined) throw new BadRequest(`A ${request.kind} fault injection needs 'duration_s'.`);
  }
  if (request.kind === 'slow' && request.delayMs === undefined) throw new BadRequest("A slow fault injection needs 'delay_ms'.");
  if (request.kind !== 'slow' && request.delayMs !== undefined) throw new BadRequest(`'delay_ms' does not apply to a ${request.kind} fault injection.`);
  if (request.operation === undefined) {
    if (request.kind === 'fail') throw new BadRequest("A fail fault injection needs 'operation'.");
    return null;
  }
  const operation = driverOperationOf(request.operation);
  if (operation === undefined) throw new BadRequest(`Unknown operation '${request.operation}'; one of: ${STEP_NAMES.join(', ')}.`);
  return stepName(operation);
}
