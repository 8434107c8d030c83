import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAmqpUrl } from './url.js';

test('rabbit:// and amqp:// URLs give host, port, credentials and vhost, with the password masked', () => {
  const endpoint = parseAmqpUrl('rabbit://nova:s%40cret@mq.example.org:5673/nimbus');
  assert.equal(endpoint.connect.hostname, 'mq.example.org');
  assert.equal(endpoint.connect.port, 5673);
  assert.equal(endpoint.connect.username, 'nova');
  assert.equal(endpoint.connect.password, 's@cret');
  assert.equal(endpoint.connect.vhost, 'nimbus');
  assert.equal(endpoint.display, 'rabbit://nova:***@mq.example.org:5673/nimbus');

  const defaults = parseAmqpUrl('amqp://127.0.0.1/');
  assert.equal(defaults.connect.port, 5672);
  assert.equal(defaults.connect.username, 'guest');
  assert.equal(defaults.connect.password, 'guest');
  assert.equal(defaults.connect.vhost, '/');
});

test('other schemes and hostless URLs are refused', () => {
  assert.throws(() => parseAmqpUrl('http://127.0.0.1:5672/'), /not rabbit:\/\/ or amqp:\/\//);
  assert.throws(() => parseAmqpUrl('rabbit:///vhost'), /names no host|Invalid/);
  assert.throws(() => parseAmqpUrl('not a url'), /Invalid message bus URL/);
});
