import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QmpProtocolError } from './errors.js';
import { LineDecoder, encodeCommand, parseMessage } from './protocol.js';

test('lines split across chunks come out whole, blank lines dropped', () => {
  const decoder = new LineDecoder();
  assert.deepEqual(decoder.push('{"return": {}, "id"'), []);
  assert.deepEqual(decoder.push(': "a"}\r\n\n{"event": "STOP"'), ['{"return": {}, "id": "a"}\r']);
  assert.deepEqual(decoder.push(', "timestamp": {"seconds": 1, "microseconds": 500000}}\n'), [
    '{"event": "STOP", "timestamp": {"seconds": 1, "microseconds": 500000}}',
  ]);
});

test('messages parse into greeting, return, error and event', () => {
  assert.deepEqual(parseMessage('{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}}, "capabilities": []}}'), {
    kind: 'greeting',
    version: { major: 7, minor: 2, micro: 22 },
  });
  assert.deepEqual(parseMessage('{"return": {"status": "running"}, "id": "n-1"}'), { kind: 'return', id: 'n-1', value: { status: 'running' } });
  assert.deepEqual(parseMessage('{"error": {"class": "CommandNotFound", "desc": "nope"}, "id": "n-2"}'), {
    kind: 'error',
    id: 'n-2',
    errorClass: 'CommandNotFound',
    desc: 'nope',
  });
  assert.deepEqual(parseMessage('{"event": "SHUTDOWN", "data": {"guest": true}, "timestamp": {"seconds": 2, "microseconds": 250000}}'), {
    kind: 'event',
    event: 'SHUTDOWN',
    data: { guest: true },
    timestamp: 2.25,
  });
  assert.throws(() => parseMessage('not json'), QmpProtocolError);
  assert.throws(() => parseMessage('{"something": 1}'), QmpProtocolError);
});

test('commands encode as one line with their id, arguments only when given', () => {
  assert.equal(encodeCommand('n-1', 'stop'), '{"execute":"stop","id":"n-1"}\n');
  assert.equal(encodeCommand('n-2', 'migrate', { uri: 'exec:cat' }), '{"execute":"migrate","arguments":{"uri":"exec:cat"},"id":"n-2"}\n');
});
