import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Flag, UsageError, formatHelp, parseDuration, parseFlags } from './flags.js';

const flags: Flag[] = [
  { name: 'data-dir', type: 'string', default: '/var/lib/k8ts', env: 'K8TS_DATA_DIR', help: 'data' },
  { name: 'https-listen-port', type: 'int', default: 6443, help: 'port' },
  { name: 'disable-agent', type: 'bool', default: false, help: 'no agent' },
  { name: 'tls-san', type: 'strings', help: 'sans' },
  { name: 'node-monitor-grace-period', type: 'duration', default: 40_000, help: 'grace' },
];

test('parses k3s-style flags with defaults and env', () => {
  const { values, args } = parseFlags(flags, ['--https-listen-port=7443', '--disable-agent', '--tls-san', 'a,b', '--tls-san=c', 'extra', '--node-monitor-grace-period', '5s'], { K8TS_DATA_DIR: '/tmp/x' });
  assert.deepEqual(values, { 'data-dir': '/tmp/x', 'https-listen-port': 7443, 'disable-agent': true, 'tls-san': ['a', 'b', 'c'], 'node-monitor-grace-period': 5000 });
  assert.deepEqual(args, ['extra']);
});

test('rejects unknown flags and bad values with a usage error', () => {
  assert.throws(() => parseFlags(flags, ['--nope'], {}), UsageError);
  assert.throws(() => parseFlags(flags, ['--https-listen-port', 'x'], {}), UsageError);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.throws(() => parseDuration('5 minutes'), UsageError);
});

test('help shows duration defaults as Go prints them', () => {
  const help = formatHelp('x', [{ name: 'grace', type: 'duration', default: 40_000, help: 'Grace' }, { name: 'retry', type: 'duration', default: 1_500, help: 'Retry' }]);
  assert.match(help, /--grace value\tGrace \(default: 40s\)/);
  assert.match(help, /--retry value\tRetry \(default: 1\.5s\)/);
});
