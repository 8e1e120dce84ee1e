import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fixedNanoTimestamp, formatLogText, parseCriLogLine, writeContainerLog } from './logs.js';
import type { LogOptions } from './runtime.js';

const base: LogOptions = { follow: false, previous: false, timestamps: false, stream: 'All' };

test('CRI log lines parse; malformed ones do not', () => {
  assert.deepEqual(parseCriLogLine('2024-01-02T03:04:05.1Z stdout P hello world'),
    { time: '2024-01-02T03:04:05.1Z', ms: Date.parse('2024-01-02T03:04:05.1Z'), stream: 'stdout', partial: true, content: 'hello world' });
  assert.equal(parseCriLogLine('2024-01-02T03:04:05Z stderr F')?.content, '');
  assert.equal(parseCriLogLine('2024-01-02T03:04:05Z stdout F:x tagged')?.content, 'tagged');
  assert.equal(parseCriLogLine('garbage'), undefined);
  assert.equal(parseCriLogLine('2024-01-02T03:04:05Z stdin F x'), undefined);
  assert.equal(fixedNanoTimestamp('2024-01-02T03:04:05.12Z'), '2024-01-02T03:04:05.120000000Z');
  assert.equal(fixedNanoTimestamp('2024-01-02T03:04:05+01:00'), '2024-01-02T03:04:05.000000000+01:00');
});

const text = [
  '2024-01-01T00:00:01Z stdout F one',
  '2024-01-01T00:00:02Z stderr F err',
  '2024-01-01T00:00:03Z stdout P tw',
  '2024-01-01T00:00:04Z stdout F o',
  '2024-01-01T00:00:05Z stdout F three',
  '',
].join('\n');

test('partial records join into one line; tail counts lines; since and stream filter', () => {
  assert.equal(formatLogText(text, base), 'one\nerr\ntwo\nthree\n');
  assert.equal(formatLogText(text, { ...base, tailLines: 2 }), 'two\nthree\n');
  assert.equal(formatLogText(text, { ...base, tailLines: 0 }), '');
  assert.equal(formatLogText(text, { ...base, stream: 'Stderr' }), 'err\n');
  assert.equal(formatLogText(text, { ...base, since: new Date('2024-01-01T00:00:03Z') }), 'two\nthree\n');
  assert.equal(formatLogText(text, { ...base, since: new Date('2024-01-01T00:00:04Z') }), 'o\nthree\n');
  // Records stay in file order, as the kubelet writes them, even when streams interleave a partial line.
  const mixed = '2024-01-01T00:00:01Z stdout P a\n2024-01-01T00:00:02Z stderr F b\n2024-01-01T00:00:03Z stdout F c\n';
  assert.equal(formatLogText(mixed, base), 'ab\nc\n');
  assert.equal(formatLogText(text, { ...base, timestamps: true, tailLines: 1 }), '2024-01-01T00:00:05.000000000Z three\n');
});

test('limitBytes cuts the output; follow picks up appended records until the container exits', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-logs-'));
  try {
    const path = join(dir, '0.log');
    await writeFile(path, text);
    const collect = (out: PassThrough) => { let s = ''; out.on('data', (d: Buffer) => { s += d.toString(); }); return () => s; };
    const o1 = new PassThrough();
    const got1 = collect(o1);
    await writeContainerLog(path, { ...base, limitBytes: 6 }, o1, { signal: new AbortController().signal, isRunning: () => false });
    assert.equal(got1(), 'one\ner');
    let running = true;
    const o2 = new PassThrough();
    const got2 = collect(o2);
    const done = writeContainerLog(path, { ...base, follow: true, tailLines: 1 }, o2, { signal: new AbortController().signal, isRunning: () => running, pollMs: 20 });
    await new Promise((r) => setTimeout(r, 60));
    await appendFile(path, '2024-01-01T00:00:06Z stdout P fo\n2024-01-01T00:00:07Z stdout F ur\n');
    await new Promise((r) => setTimeout(r, 100));
    running = false;
    await done;
    assert.equal(got2(), 'three\nfour\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
