import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { withComputeApp, type Call } from '../testing/compute-test-app.js';
import { insertInstance } from '../db/testing/compute-db.js';
import { seedHosts } from './testing/admin-fixtures.js';

// Tempest's own service clients (os-services, os-hypervisors, os-hosts, server groups, aggregates, zones,
// limits, quota sets, simple tenant usage) drive the compute routes at each microversion where one of them changes,
// and check every answer against Tempest's strict response schemas for that version.
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../../../test/support/tempest_compute_admin.py', import.meta.url));
// Tempest 33's os-hypervisors schemas end before 2.88 (uptime in the list, no statistics): 2.87 is the last checked here.
const VERSIONS = ['2.1', '2.10', '2.11', '2.12', '2.13', '2.15', '2.27', '2.28', '2.32', '2.33', '2.35', '2.36', '2.38', '2.39', '2.40', '2.41', '2.52', '2.53', '2.56', '2.57', '2.63', '2.64', '2.74', '2.75', '2.79', '2.81', '2.87'];

function tempestMissing(): string | false {
  try {
    execFileSync(PYTHON, ['-c', 'import tempest.lib.services.compute, jsonschema'], { stdio: 'pipe' });
    return false;
  } catch {
    // The reason is printed as the test's SKIP line.
    return `${PYTHON} has no tempest or python3-jsonschema: no response was checked against Tempest's schemas`;
  }
}

interface BridgedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
}

/** Answers one request the Python side made, through the routes. */
async function answer(call: Call, request: BridgedRequest): Promise<Record<string, unknown>> {
  const path = request.url.replace('http://cloud/compute/v2.1', '');
  const version = request.headers['X-OpenStack-Nova-API-Version'];
  const reply = await call(request.method, path, {
    ...(request.body === null ? {} : { body: JSON.parse(request.body) as unknown }),
    ...(version === undefined ? {} : { version }),
  });
  // No Nova answer is a bare {} (the harness's value for an empty body); the echoed version is
  // checked by the microversion negotiation tests, Tempest only needs to find it.
  const empty = Object.keys(reply.json).length === 0;
  return {
    status: reply.status,
    headers: { ...(empty ? {} : { 'content-type': 'application/json' }), ...(version === undefined ? {} : { 'x-openstack-nova-api-version': version }) },
    body: empty ? '' : JSON.stringify(reply.json),
  };
}

test("compute admin responses match Tempest's schemas at every microversion from 2.1 to 2.87", { skip: tempestMissing(), timeout: 120_000 }, () =>
  withComputeApp(async (harness) => {
    await seedHosts(harness);
    await insertInstance(harness.db, 'demo');
    await insertInstance(harness.db, 'demo', { deleted: true, vm_state: 'deleted', terminated_at: '2026-11-25T10:00:00.000Z' });
    await insertInstance(harness.db, 'other', { host: 'compute-2', node: 'compute-2' });
    const python = spawn(PYTHON, [SCRIPT, ...VERSIONS], { stdio: ['pipe', 'pipe', 'inherit'] });
    let result: { done: true; failures: string[] } | undefined;
    let requests = 0;
    for await (const line of createInterface({ input: python.stdout })) {
      const message = JSON.parse(line) as BridgedRequest | { done: true; failures: string[] };
      if ('done' in message) {
        result = message;
        break;
      }
      requests += 1;
      python.stdin.write(`${JSON.stringify(await answer(harness.call, message))}\n`);
    }
    python.stdin.end();
    assert.ok(result !== undefined, 'the Tempest driver ended without a result');
    assert.ok(requests > VERSIONS.length * 30, `only ${requests} requests were checked`);
    assert.deepEqual(result.failures, []);
  }),
);
