/**
 * `k8ts server` stopped by SIGTERM while it is still starting: whatever had started stops, and
 * the process exits 0 at once (it used to linger until the 30 s watchdog, its API server,
 * controllers and scheduler still retrying against a closed store).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../fixtures/ports.js';
import { nodeFlags } from '../../src/cli/node-flags.js';

const mainJs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');

/** Starts a server, sends SIGTERM when its log first matches `at`; how it ended and how fast. */
async function stopWhen(at: RegExp): Promise<{ code: number | null; ms: number; log: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'k8ts-stop-'));
  const child = spawn(process.execPath, [...nodeFlags, mainJs, 'server', '--disable-agent', '--data-dir', dataDir,
    '--https-listen-port', String(await freePort()), '--bind-address', '127.0.0.1', '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let signalledAt = 0;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const onData = (d: Buffer) => {
    log += d.toString();
    if (!signalledAt && at.test(log)) { signalledAt = performance.now(); child.kill('SIGTERM'); }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    const code = await exited;
    return { code, ms: performance.now() - signalledAt, log };
  } finally {
    clearTimeout(guard);
    await rm(dataDir, { recursive: true, force: true });
  }
}

for (const [when, at] of [
  ['as the datastore opens', /opening datastore/],
  ['once the watch cache has listed', /watch cache: listed/],
  ['once up', /k8ts is up and running/],
] as const) {
  test(`SIGTERM ${when}: everything started stops and the process exits 0`, async () => {
    const { code, ms, log } = await stopWhen(at);
    assert.equal(code, 0, log);
    assert.ok(ms < 10_000, `took ${Math.round(ms)} ms to exit:\n${log}`);
    assert.doesNotMatch(log, /still stopping after/, log);
    assert.match(log, /stopped/);
  });
}
