import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Exec } from '../exec.js';
import { execFile, inNetns } from '../exec.js';

/**
 * A throw-away "node" for network tests, built only of network namespaces this process
 * creates (`k8ts-test-<rand>-…`), so the host's own tables, routes and links are never touched:
 *
 *   client ns (192.168.77.2) ──veth── node ns (192.168.77.1, bridge k8ts0 10.42.0.1/24) ──veth── pod ns (10.42.0.1x)
 */
export interface TestNode {
  /** The node namespace's name. */
  readonly node: string;
  readonly client: string;
  readonly nodeIP: string;
  readonly clientIP: string;
  readonly podCidr: string;
  readonly pods: readonly TestPod[];
  /** Runs commands inside the node namespace. */
  readonly exec: Exec;
  execIn(netns: string): Exec;
  /** A tiny HTTP server in a pod answering every request with `reply`. */
  serve(pod: TestPod, port: number, reply: string): Promise<void>;
  /** Deletes every namespace and ends every process it started. */
  destroy(): Promise<void>;
}

export interface TestPod { readonly name: string; readonly netns: string; readonly ip: string }

/** True when this process may create network namespaces (root, iproute2 present). */
export async function canCreateNetns(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  try { await execFile('ip', ['netns', 'list']); return true; } catch { return false; }
}

const serverScript = `
const [port, reply] = process.argv.slice(1);
require('node:http').createServer((req, res) => { res.setHeader('connection', 'close'); res.end(reply); })
  .listen(Number(port), '0.0.0.0', () => process.stdout.write('ready\\n'));
`;

export async function createTestNode(opts: { pods?: number } = {}): Promise<TestNode> {
  const id = randomBytes(4).toString('hex');
  const node = `k8ts-test-${id}-node`;
  const client = `k8ts-test-${id}-client`;
  const created: string[] = [];
  const children: ChildProcess[] = [];
  const run = (args: string[]) => execFile('ip', args);
  const inNode = inNetns(execFile, node);
  const pods: TestPod[] = Array.from({ length: opts.pods ?? 2 }, (_, i) => ({ name: `pod${i + 1}`, netns: `k8ts-test-${id}-pod${i + 1}`, ip: `10.42.0.${11 + i}` }));

  async function destroy(): Promise<void> {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('close', r)))));
    for (const ns of created.reverse()) await run(['netns', 'del', ns]).catch(() => undefined);
  }

  try {
    for (const ns of [node, client, ...pods.map((p) => p.netns)]) { await run(['netns', 'add', ns]); created.push(ns); }
    for (const ns of created) await inNetns(execFile, ns)('ip', ['link', 'set', 'lo', 'up']);
    // client <-> node "LAN"
    await inNode('ip', ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', client]);
    await inNode('ip', ['addr', 'add', '192.168.77.1/24', 'dev', 'eth0']);
    await inNode('ip', ['link', 'set', 'eth0', 'up']);
    const inClient = inNetns(execFile, client);
    await inClient('ip', ['addr', 'add', '192.168.77.2/24', 'dev', 'eth0']);
    await inClient('ip', ['link', 'set', 'eth0', 'up']);
    await inClient('ip', ['route', 'add', '10.42.0.0/16', 'via', '192.168.77.1']);
    // the pod bridge, as the CNI bridge plugin would make it
    await inNode('ip', ['link', 'add', 'k8ts0', 'type', 'bridge']);
    await inNode('ip', ['addr', 'add', '10.42.0.1/24', 'dev', 'k8ts0']);
    await inNode('ip', ['link', 'set', 'k8ts0', 'up']);
    for (const [i, p] of pods.entries()) {
      const host = `veth${i + 1}`;
      await inNode('ip', ['link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', p.netns]);
      await inNode('ip', ['link', 'set', host, 'master', 'k8ts0']);
      await inNode('ip', ['link', 'set', host, 'type', 'bridge_slave', 'hairpin', 'on']);
      await inNode('ip', ['link', 'set', host, 'up']);
      const inPod = inNetns(execFile, p.netns);
      await inPod('ip', ['addr', 'add', `${p.ip}/24`, 'dev', 'eth0']);
      await inPod('ip', ['link', 'set', 'eth0', 'up']);
      await inPod('ip', ['route', 'add', 'default', 'via', '10.42.0.1']);
    }
  } catch (err) {
    await destroy();
    throw err;
  }

  return {
    node, client, nodeIP: '192.168.77.1', clientIP: '192.168.77.2', podCidr: '10.42.0.0/24', pods,
    exec: inNode,
    execIn: (ns) => inNetns(execFile, ns),
    async serve(pod, port, reply) {
      const child = spawn('ip', ['netns', 'exec', pod.netns, process.execPath, '-e', serverScript, String(port), reply], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code) => reject(new Error(`test server in ${pod.name} exited with ${code}`)));
        child.stdout!.once('data', () => resolve());
      });
    },
    destroy,
  };
}

/** One HTTP GET with curl inside a namespace: the body, or the curl error (exit code) as `ERR <code>`. */
export async function curlIn(exec: Exec, url: string, timeoutSeconds = 2): Promise<string> {
  try {
    const { stdout } = await exec('curl', ['-s', '--max-time', String(timeoutSeconds), url]);
    return stdout;
  } catch (err) {
    return `ERR ${(err as { code?: number }).code ?? '?'}`;
  }
}
