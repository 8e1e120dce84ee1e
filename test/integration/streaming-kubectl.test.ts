/**
 * The real kubectl (1.27: SPDY; 1.33: WebSocket v5 and SPDY-in-WebSocket) against the pod
 * streaming handlers, through a real kubelet streaming server over HTTPS, with a local runtime
 * (exec = a local process, port-forward = a local TCP echo server, logs = a CRI log file).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer, connect, type Server } from 'node:net';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { kubectlBinary, kubectlFor, type Kubectl } from '../fixtures/kubectl.js';
import { startStreamingHarness, type StreamingHarness } from '../../src/apiserver/proxy/testing/streaming-harness.js';
import { localRuntime } from '../../src/kubelet/server/testing/local-runtime.js';

function pod(name: string, containers: string[], phase = 'Running'): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { nodeName: 'node-1', containers: containers.map((c) => ({ name: c, image: 'busybox' })) },
    status: { phase: phase as 'Running' },
  };
}

describe('kubectl streaming through the API server proxy and the kubelet server', () => {
  let harness: StreamingHarness;
  let echo: Server;
  let dir: string;
  let logPath: string;
  let running = true;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'k8ts-streaming-test-'));
    echo = createServer((s) => { s.on('error', () => undefined); s.pipe(s); });
    const echoPort = await new Promise<number>((r) => echo.listen(0, '127.0.0.1', () => r((echo.address() as { port: number }).port)));
    logPath = join(dir, 'web.log');
    await writeFile(logPath, [
      '2024-01-02T03:04:05.123456789Z stdout F line one',
      '2024-01-02T03:04:06.1Z stderr F line two',
      '2024-01-02T03:04:07Z stdout P part',
      '2024-01-02T03:04:07.5Z stdout F ial three',
      '',
    ].join('\n'));
    const runtime = localRuntime({
      pods: { 'default/web': ['web'], 'default/two': ['a', 'b'] },
      ports: { 80: echoPort },
      logs: { 'default/web/web': { current: logPath, running: () => running } },
      cwd: dir,
    });
    harness = await startStreamingHarness(runtime, { pods: [pod('web', ['web']), pod('two', ['a', 'b'])] });
  });

  after(async () => {
    await harness?.stop();
    echo?.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const minor of [27, 33]) {
    describe(`kubectl 1.${minor}`, () => {
      let k: Kubectl;
      before(() => {
        const found = kubectlFor(minor, harness.kubeconfig);
        assert.ok(found, `kubectl 1.${minor} must be installed`);
        k = found;
      });

      it('exec prints stdout and stderr', async () => {
        const seen = harness.upgrades.length;
        const r = await k(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2']);
        const used = harness.upgrades.slice(seen);
        if (minor === 27) assert.deepEqual(used.map((u) => [u.method, u.upgrade]), [['POST', 'SPDY/3.1']]);
        else assert.deepEqual(used.map((u) => [u.method, u.upgrade, u.protocols]), [['GET', 'websocket', 'v5.channel.k8s.io']]);
        assert.equal(r.stdout, 'out\n');
        assert.match(r.stderr, /^err\n/);
        assert.equal(r.code, 0, r.stderr);
      });

      it('exec passes the exit code through', async () => {
        const r = await k(['exec', 'web', '--', 'sh', '-c', 'echo bye; exit 3']);
        assert.equal(r.stdout, 'bye\n');
        assert.equal(r.code, 3);
        assert.match(r.stderr, /command terminated with exit code 3/);
      });

      it('exec -i pipes stdin to the command and ends it', async () => {
        const r = await k(['exec', '-i', 'web', '--', 'sh', '-c', 'tr a-z A-Z; echo done'], { stdin: 'hello\nworld\n' });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, 'HELLO\nWORLD\ndone\n');
      });

      it('exec -i -t runs without a terminal on this side', async () => {
        const r = await k(['exec', '-i', '-t', 'web', '--', 'sh', '-c', 'cat; echo tty-done'], { stdin: 'abc\n' });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /abc\n/);
        assert.match(r.stdout, /tty-done/);
      });

      it('exec into an unknown container is refused with the upstream message', async () => {
        const r = await k(['exec', 'web', '-c', 'nope', '--', 'true']);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /container nope is not valid for pod web/);
      });

      it('cp copies a file out of and into the "container"', async () => {
        const src = join(dir, `src-${minor}.bin`);
        const payload = randomBytes(3 * 1024 * 1024 + 17);
        await writeFile(src, payload);
        const out = join(dir, `out-${minor}.bin`);
        const r1 = await k(['cp', `web:src-${minor}.bin`, out], { timeoutMs: 60_000 });
        assert.equal(r1.code, 0, r1.stderr);
        assert.ok(payload.equals(await readFile(out)), 'copied-out bytes differ');
        const inDir = join(dir, `in-${minor}`);
        await mkdir(inDir);
        const r2 = await k(['cp', out, `web:${inDir}/back.bin`], { timeoutMs: 60_000 });
        assert.equal(r2.code, 0, r2.stderr);
        assert.ok(payload.equals(await readFile(join(inDir, 'back.bin'))), 'copied-in bytes differ');
      });

      it('logs with --timestamps and --tail joins partial records', async () => {
        const r = await k(['logs', 'web']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, 'line one\nline two\npartial three\n');
        const t = await k(['logs', 'web', '--timestamps', '--tail=2']);
        assert.equal(t.stdout, '2024-01-02T03:04:06.100000000Z line two\n2024-01-02T03:04:07.000000000Z partial three\n');
      });

      it('logs of a pod that does not exist', async () => {
        const r = await k(['logs', 'nope']);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /pods "nope" not found/);
      });

      it('port-forward carries bytes both ways', async () => {
        const seen = harness.upgrades.length;
        const child = spawn(kubectlBinary(minor)!, [`--kubeconfig=${harness.kubeconfig}`, 'port-forward', 'pod/web', ':80'], { stdio: ['ignore', 'pipe', 'pipe'] });
        try {
          const localPort = await new Promise<number>((resolve, reject) => {
            let out = '';
            child.stdout.on('data', (d: Buffer) => {
              out += d.toString();
              const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
              if (m) resolve(Number(m[1]));
            });
            child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
            child.once('exit', () => reject(new Error(`port-forward exited: ${out}`)));
          });
          for (let i = 0; i < 2; i++) {
            const payload = randomBytes(256 * 1024);
            const got = await new Promise<Buffer>((resolve, reject) => {
              const s = connect(localPort, '127.0.0.1');
              const chunks: Buffer[] = [];
              let n = 0;
              s.on('data', (d: Buffer) => { chunks.push(d); n += d.length; if (n >= payload.length) { s.end(); resolve(Buffer.concat(chunks)); } });
              s.on('error', reject);
              s.write(payload);
            });
            assert.ok(payload.equals(got), `connection ${i}: echoed bytes differ`);
          }
          const used = harness.upgrades.slice(seen);
          if (minor === 27) assert.deepEqual(used.map((u) => [u.upgrade, u.protocols]), [['SPDY/3.1', 'portforward.k8s.io']]);
          else assert.deepEqual(used.map((u) => [u.upgrade, u.protocols]), [['websocket', 'SPDY/3.1+portforward.k8s.io']]);
        } finally {
          child.kill('SIGTERM');
        }
      });
    });
  }
});
