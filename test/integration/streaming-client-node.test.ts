/**
 * @kubernetes/client-node 1.4's Exec (WebSocket, offers v5…v1) and PortForward (WebSocket
 * `v4.channel.k8s.io` channel pairs) against the pod streaming handlers and the kubelet server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { PassThrough } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Exec, KubeConfig, PortForward, type V1Status } from '@kubernetes/client-node';
import { startStreamingHarness, type StreamingHarness } from '../../src/apiserver/proxy/testing/streaming-harness.js';
import { localRuntime } from '../../src/kubelet/server/testing/local-runtime.js';

const pod: Pod = {
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' },
  spec: { nodeName: 'node-1', containers: [{ name: 'web', image: 'x' }] }, status: { phase: 'Running' },
};

describe('client-node exec and port-forward', () => {
  let harness: StreamingHarness;
  let echo: Server;
  let kc: KubeConfig;

  before(async () => {
    echo = createServer((s) => { s.on('error', () => undefined); s.pipe(s); });
    const echoPort = await new Promise<number>((r) => echo.listen(0, '127.0.0.1', () => r((echo.address() as { port: number }).port)));
    harness = await startStreamingHarness(localRuntime({ pods: { 'default/web': ['web'] }, ports: { 8080: echoPort } }), { pods: [pod] });
    kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: harness.url, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
  });

  after(async () => {
    await harness?.stop();
    echo?.close();
  });

  async function run(command: string[], stdinText: string | undefined, tty = false): Promise<{ out: string; err: string; status: V1Status }> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d: Buffer) => { out += d.toString(); });
    stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const stdin = stdinText === undefined ? null : new PassThrough();
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(kc).exec('default', 'web', 'web', command, stdout, stderr, stdin, tty, resolve).then((ws) => {
        ws.on('error', reject);
        if (stdin) stdin.end(stdinText);
      }, reject);
    });
    await new Promise((r) => setImmediate(r));
    return { out, err, status };
  }

  it('exec: output, and the exit code in the Status', async () => {
    const ok = await run(['sh', '-c', 'echo out; echo err >&2'], undefined);
    assert.equal(ok.out, 'out\n');
    assert.equal(ok.err, 'err\n');
    assert.equal(ok.status.status, 'Success');
    const failed = await run(['sh', '-c', 'exit 3'], undefined);
    assert.equal(failed.status.status, 'Failure');
    assert.equal(failed.status.reason, 'NonZeroExitCode');
    assert.deepEqual(failed.status.details?.causes, [{ reason: 'ExitCode', message: '3' }]);
    const seen = harness.upgrades.at(-1)!;
    assert.equal(seen.upgrade, 'websocket');
    assert.match(seen.protocols, /^v5\.channel\.k8s\.io/);
  });

  it('exec: stdin reaches the command and its end closes it (v5 close signal)', async () => {
    const r = await run(['sh', '-c', 'wc -c'], 'twelve bytes');
    assert.equal(r.out.trim(), '12');
    assert.equal(r.status.status, 'Success');
  });

  it('port-forward: bytes go to the port and back, after the port prefix', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const errors = new PassThrough();
    let got = '';
    output.on('data', (d: Buffer) => { got += d.toString(); });
    const ws = await new PortForward(kc).portForward('default', 'web', [8080], output, errors, input);
    input.write('ping over websocket');
    const deadline = Date.now() + 5000;
    while (got !== 'ping over websocket' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(got, 'ping over websocket');
    (ws as { close(): void }).close();
    const seen = harness.upgrades.at(-1)!;
    assert.equal(seen.subresource, 'portforward');
  });
});
