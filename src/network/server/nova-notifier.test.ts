import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { configureLogging } from '../../common/logging/logger.js';
import { changedEvent, deletedEvent, httpVifEventSender, MAX_EVENTS_PER_REQUEST, NovaNotifier, statusEvent, type VifEvent } from './nova-notifier.js';

const lines: string[] = [];
configureLogging({ sink: (line) => lines.push(line) });

const GUEST = { id: '7c3a1f6e-4f6d-4a57-9a2b-8f5a4b7c9d10', device_id: '0b8c2f1e-3a4d-4e5f-8a9b-1c2d3e4f5a6b', device_owner: 'compute:nova' };

describe("Neutron's Nova notifier", () => {
  test('a guest port going ACTIVE is network-vif-plugged, DOWN after ACTIVE unplugged, a deletion deleted, a floating IP change network-changed; other changes and ports are no events', () => {
    assert.deepEqual(statusEvent(GUEST, 'DOWN', 'ACTIVE'), { name: 'network-vif-plugged', server_uuid: GUEST.device_id, tag: GUEST.id, status: 'completed' });
    assert.deepEqual(statusEvent(GUEST, 'ACTIVE', 'DOWN'), { name: 'network-vif-unplugged', server_uuid: GUEST.device_id, tag: GUEST.id, status: 'completed' });
    assert.equal(statusEvent(GUEST, 'BUILD', 'DOWN'), undefined, 'DOWN that never was ACTIVE');
    assert.equal(statusEvent(GUEST, 'ACTIVE', 'ACTIVE'), undefined);
    assert.equal(statusEvent({ ...GUEST, device_owner: 'network:dhcp' }, 'DOWN', 'ACTIVE'), undefined, 'not a guest');
    assert.equal(statusEvent({ ...GUEST, device_id: '' }, 'DOWN', 'ACTIVE'), undefined, 'no server');
    assert.deepEqual(deletedEvent(GUEST), { name: 'network-vif-deleted', server_uuid: GUEST.device_id, tag: GUEST.id, status: 'completed' });
    assert.equal(deletedEvent({ ...GUEST, device_owner: '' }), undefined);
    assert.deepEqual(changedEvent(GUEST), { name: 'network-changed', server_uuid: GUEST.device_id, tag: GUEST.id, status: 'completed' });
    assert.equal(changedEvent({ ...GUEST, device_owner: 'network:router_interface' }), undefined, "a router's port concerns no guest");
  });

  test('events within the delay go in one request; later ones in the next', async () => {
    const batches: VifEvent[][] = [];
    const notifier = new NovaNotifier(async (events) => {
      batches.push([...events]);
      return 200;
    }, 50);
    notifier.queue(statusEvent(GUEST, 'DOWN', 'ACTIVE'));
    notifier.queue(statusEvent({ ...GUEST, id: 'port-2' }, 'DOWN', 'ACTIVE'));
    notifier.queue(undefined);
    assert.equal(batches.length, 0, 'nothing is sent before the delay');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(
      batches.map((batch) => batch.map((event) => event.tag)),
      [[GUEST.id, 'port-2']],
    );
    notifier.queue(deletedEvent(GUEST));
    await notifier.flush();
    assert.deepEqual(batches.map((batch) => batch.length), [2, 1]);
  });

  test("a batch larger than one request goes in several, each within Nova's default body limit; one refused loses only its own events", async () => {
    const sent: VifEvent[][] = [];
    const notifier = new NovaNotifier(async (events) => {
      sent.push([...events]);
      if (sent.length === 1) throw new Error('Request is too large.');
      return 200;
    }, 1000);
    const ports = Array.from({ length: 2 * MAX_EVENTS_PER_REQUEST + 1 }, (_, index) => ({ ...GUEST, id: `port-${index}` }));
    for (const port of ports) notifier.queue(statusEvent(port, 'DOWN', 'ACTIVE'));
    await notifier.flush();
    assert.deepEqual(sent.map((events) => events.length), [MAX_EVENTS_PER_REQUEST, MAX_EVENTS_PER_REQUEST, 1]);
    assert.deepEqual(sent.flat().map((event) => event.tag), ports.map((port) => port.id), 'every event sent once, in order');
    const longest = { name: 'network-vif-unplugged', server_uuid: GUEST.device_id, tag: 'x'.repeat(255), status: 'completed' };
    const body = JSON.stringify({ events: Array.from({ length: MAX_EVENTS_PER_REQUEST }, () => longest) });
    // [api] max_request_body_size's default, as oslo.middleware's in front of Nova.
    assert.ok(body.length < 114688, `${body.length} bytes`);
  });

  test("a Nova without os-server-external-events (404) is warned about once and fails nothing; a failure to send is a warning", async () => {
    lines.length = 0;
    let status = 404;
    const notifier = new NovaNotifier(async () => status, 10);
    for (let round = 0; round < 3; round += 1) {
      notifier.queue(statusEvent(GUEST, 'DOWN', 'ACTIVE'));
      await notifier.flush();
    }
    assert.equal(lines.filter((line) => line.includes('WARNING') && line.includes('404')).length, 1);
    status = 0;
    const failing = new NovaNotifier(async () => {
      throw new Error('connection refused');
    }, 10);
    failing.queue(deletedEvent(GUEST));
    await failing.flush();
    assert.ok(lines.some((line) => line.includes('WARNING') && line.includes('connection refused') && line.includes('network-vif-deleted')));
  });

  test("the HTTP sender posts Nova's body to the compute endpoint with the service user's token", async () => {
    const received: { url: string; token: string; body: unknown }[] = [];
    const server = createServer((request: IncomingMessage, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        received.push({ url: request.url ?? '', token: String(request.headers['x-auth-token']), body: JSON.parse(text) });
        response.writeHead(200, { 'content-type': 'application/json' }).end(text);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const send = httpVifEventSender(() => ({ token: async () => 'service-token', endpoint: async () => `http://127.0.0.1:${port}/compute/v2.1/` }));
      const event = statusEvent(GUEST, 'DOWN', 'ACTIVE');
      assert.ok(event !== undefined);
      assert.equal(await send([event]), 200);
      assert.deepEqual(received, [{ url: '/compute/v2.1/os-server-external-events', token: 'service-token', body: { events: [event] } }]);
      await assert.rejects(httpVifEventSender(() => undefined)([event]), /no service user/);
    } finally {
      server.close();
    }
  });
});
