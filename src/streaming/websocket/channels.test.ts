import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeChannelMessage, encodeChannelMessage, portPrefix, selectProtocol } from './channels.js';

test('binary channel framing puts the channel in the first byte', () => {
  const m = encodeChannelMessage(1, Buffer.from('hi'), false);
  assert.deepEqual(m, Buffer.from([1, 0x68, 0x69]));
  assert.deepEqual(decodeChannelMessage(m, false), { channel: 1, data: Buffer.from('hi') });
  assert.deepEqual(decodeChannelMessage(Buffer.from([255, 0]), false), { channel: 255, data: Buffer.from([0]) });
  assert.equal(decodeChannelMessage(Buffer.alloc(0), false), undefined);
});

test('base64 framing: a digit then base64', () => {
  const m = encodeChannelMessage(2, 'oops', true);
  assert.equal(m, '2b29wcw==');
  assert.deepEqual(decodeChannelMessage(m, true), { channel: 2, data: Buffer.from('oops') });
});

test('protocol choice follows the client order; none offered selects the default', () => {
  assert.equal(selectProtocol(['v5.channel.k8s.io', 'v4.channel.k8s.io'], ['v4.channel.k8s.io']), 'v4.channel.k8s.io');
  assert.equal(selectProtocol([], ['v4.channel.k8s.io']), '');
  assert.equal(selectProtocol(['x'], ['v4.channel.k8s.io']), undefined);
  assert.deepEqual(portPrefix(8080), Buffer.from([0x90, 0x1f]));
});
