/**
 * Pod volumes on the node: emptyDir (tmpfs for `medium: Memory`), configMap, secret (on tmpfs),
 * downwardAPI and projected (incl. bound service account tokens) written atomically and
 * refreshed on every sync, hostPath with its type checks, and persistentVolumeClaims bound to
 * hostPath/local PersistentVolumes. Produces each container's CRI mounts.
 */
import { chmod, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { ConfigMap, Container, Pod, Secret, Volume } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../api/errors.js';
import { parseQuantity } from '../../api/quantity.js';
import { persistentVolumeClaims, persistentVolumes, serviceAccounts } from '../../api/resources/core/index.js';
import type { Clock, Logger } from '../../base/index.js';
import type { Client } from '../../client/index.js';
import type { Mount } from '../cri/types.js';
import { ContainerConfigError } from '../env.js';
import { podDirectory, type NodeRuntimeConfig } from '../node-config.js';
import type { PodVolumes, VolumeSetupResult } from '../pod-worker.js';
import { writePayload, type Payload } from './atomic-writer.js';
import { systemMounter, type Mounter } from './mounter.js';
import { configMapPayload, defaultFileMode, downwardAPIPayload, secretPayload, VolumeSetupError, type ResourceContext } from './payloads.js';

export interface VolumeManagerDeps {
  client: Client;
  node: NodeRuntimeConfig;
  clock: Clock;
  log: Logger;
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  resources?: ResourceContext;
  mounter?: Mounter;
}

/** `<podDir>/volumes/kubernetes.io~<plugin>/<volume>`, the kubelet's layout. */
export function volumeDir(node: NodeRuntimeConfig, uid: string, plugin: string, name: string): string {
  return join(podDirectory(node, uid), 'volumes', `kubernetes.io~${plugin}`, name);
}

export function pluginOf(v: Volume): string | undefined {
  if (v.emptyDir) return 'empty-dir';
  if (v.configMap) return 'configmap';
  if (v.secret) return 'secret';
  if (v.downwardAPI) return 'downward-api';
  if (v.projected) return 'projected';
  if (v.hostPath) return 'host-path';
  if (v.persistentVolumeClaim) return 'pvc';
  return undefined;
}

/** hostPath type checks with the kubelet's messages; creates for the *OrCreate types. */
export async function checkHostPath(path: string, type: string | undefined): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  const fail = (what: string) => { throw new VolumeSetupError(`hostPath type check failed: ${path} is not ${what}`); };
  switch (type ?? '') {
    case '': return;
    case 'DirectoryOrCreate':
      if (!st) { await mkdir(path, { recursive: true, mode: 0o755 }); await chmod(path, 0o755); return; }
      if (!st.isDirectory()) fail('a directory');
      return;
    case 'Directory': if (!st?.isDirectory()) fail('a directory'); return;
    case 'FileOrCreate':
      if (!st) { await writeFile(path, '', { mode: 0o644, flag: 'a' }); return; }
      if (!st.isFile()) fail('a file');
      return;
    case 'File': if (!st?.isFile()) fail('a file'); return;
    case 'Socket': if (!st?.isSocket()) fail('a socket file'); return;
    case 'CharDevice': if (!st?.isCharacterDevice()) fail('a character device'); return;
    case 'BlockDevice': if (!st?.isBlockDevice()) fail('a block device'); return;
    default: throw new VolumeSetupError(`invalid HostPathType: ${type}`);
  }
}

interface Token { token: string; issuedAt: number; expiresAt: number }

export function createVolumeManager(deps: VolumeManagerDeps): PodVolumes {
  const { client, node, clock } = deps;
  const log = deps.log.child({ component: 'volumes' });
  const mounter = deps.mounter ?? systemMounter;
  /** Bound tokens by `<uid>/<volume>/<path>`, renewed after 80 % of their lifetime (as the kubelet's token manager). */
  const tokens = new Map<string, Token>();

  async function ensureTmpfs(dir: string, sizeBytes?: number): Promise<void> {
    await mkdir(dir, { recursive: true });
    if (!(await mounter.isMountPoint(dir))) await mounter.mountTmpfs(dir, sizeBytes);
  }

  async function serviceAccountToken(pod: Pod, volume: string, path: string, audience: string | undefined, expirationSeconds: number, signal?: AbortSignal): Promise<string> {
    const key = `${pod.metadata?.uid}/${volume}/${path}`;
    const now = clock.now();
    const cached = tokens.get(key);
    if (cached && now < cached.issuedAt + (cached.expiresAt - cached.issuedAt) * 0.8) return cached.token;
    const sa = pod.spec?.serviceAccountName || 'default';
    const ns = pod.metadata?.namespace ?? 'default';
    const req = {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { name: sa, namespace: ns },
      spec: {
        audiences: audience ? [audience] : [],
        expirationSeconds,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, uid: pod.metadata?.uid },
      },
    };
    let res: { status?: { token?: string; expirationTimestamp?: string } };
    try {
      res = await client.createSubresource(serviceAccounts, ns, sa, 'token', req, { signal });
    } catch (err) {
      throw new VolumeSetupError(`failed to fetch token: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const token = res.status?.token;
    if (!token) throw new VolumeSetupError('failed to fetch token: the TokenRequest answer has no token');
    const expiresAt = res.status?.expirationTimestamp ? Date.parse(res.status.expirationTimestamp) : now + expirationSeconds * 1000;
    tokens.set(key, { token, issuedAt: now, expiresAt });
    return token;
  }

  /** Sets up one volume; returns its host path. */
  async function setUpVolume(pod: Pod, v: Volume, signal?: AbortSignal): Promise<string> {
    const uid = pod.metadata?.uid ?? '';
    const ns = pod.metadata?.namespace ?? 'default';
    const plugin = pluginOf(v);
    if (!plugin) throw new VolumeSetupError(`volume ${v.name}: this node does not support its volume type`);
    const dir = volumeDir(node, uid, plugin, v.name);
    if (v.emptyDir) {
      if (v.emptyDir.medium === 'Memory') {
        const size = v.emptyDir.sizeLimit !== undefined ? Number(parseQuantity(v.emptyDir.sizeLimit).nanos / 1_000_000_000n) : undefined;
        await ensureTmpfs(dir, size);
      } else {
        await mkdir(dir, { recursive: true });
      }
      await chmod(dir, 0o777);
      return dir;
    }
    if (v.hostPath) {
      await checkHostPath(v.hostPath.path, v.hostPath.type);
      return v.hostPath.path;
    }
    if (v.persistentVolumeClaim) {
      const claim = v.persistentVolumeClaim.claimName;
      let pvc;
      try {
        pvc = await client.get(persistentVolumeClaims, ns, claim, { signal });
      } catch (err) {
        if (isNotFound(err)) throw new VolumeSetupError(`persistentvolumeclaim "${claim}" not found`);
        throw err;
      }
      const pvName = pvc.spec?.volumeName;
      if (!pvName || pvc.status?.phase !== 'Bound') throw new VolumeSetupError(`PVC ${ns}/${claim} is not bound`);
      let pv;
      try {
        pv = await client.get(persistentVolumes, '', pvName, { signal });
      } catch (err) {
        if (isNotFound(err)) throw new VolumeSetupError(`persistentvolume "${pvName}" not found`);
        throw err;
      }
      const path = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
      if (!path) throw new VolumeSetupError(`persistentvolume "${pvName}": only hostPath and local volumes can be mounted on this node`);
      if (pv.spec?.hostPath) await checkHostPath(path, pv.spec.hostPath.type);
      else await checkHostPath(path, 'Directory');
      return path;
    }
    let payload: Payload = new Map();
    if (v.configMap) {
      payload = configMapPayload(v.configMap.name ?? '', deps.configMap(ns, v.configMap.name ?? ''), v.configMap, v.configMap.defaultMode ?? defaultFileMode);
    } else if (v.secret) {
      await ensureTmpfs(dir); // secrets never touch the disk
      payload = secretPayload(v.secret.secretName ?? '', deps.secret(ns, v.secret.secretName ?? ''), v.secret, v.secret.defaultMode ?? defaultFileMode);
    } else if (v.downwardAPI) {
      payload = downwardAPIPayload(pod, v.downwardAPI.items ?? [], v.downwardAPI.defaultMode ?? defaultFileMode, deps.resources);
    } else if (v.projected) {
      await ensureTmpfs(dir);
      const mode = v.projected.defaultMode ?? defaultFileMode;
      for (const src of v.projected.sources ?? []) {
        if (src.configMap) configMapPayload(src.configMap.name ?? '', deps.configMap(ns, src.configMap.name ?? ''), src.configMap, mode, payload);
        if (src.secret) secretPayload(src.secret.name ?? '', deps.secret(ns, src.secret.name ?? ''), src.secret, mode, payload);
        if (src.downwardAPI) downwardAPIPayload(pod, src.downwardAPI.items ?? [], mode, deps.resources, payload);
        if (src.serviceAccountToken) {
          const t = src.serviceAccountToken;
          const token = await serviceAccountToken(pod, v.name, t.path, t.audience, t.expirationSeconds ?? 3600, signal);
          payload.set(t.path, { content: Buffer.from(token, 'utf8'), mode });
        }
      }
    }
    if (await writePayload(dir, payload, clock.now())) log.debug('volume updated', { pod: `${ns}/${pod.metadata?.name}`, volume: v.name });
    return dir;
  }

  return {
    async setUp(pod, signal): Promise<VolumeSetupResult> {
      const paths = new Map<string, string>();
      const errors: string[] = [];
      for (const v of pod.spec?.volumes ?? []) {
        try {
          paths.set(v.name, await setUpVolume(pod, v, signal));
        } catch (err) {
          if (signal?.aborted) throw err;
          if (!(err instanceof VolumeSetupError)) throw err;
          errors.push(`MountVolume.SetUp failed for volume "${v.name}" : ${err.message}`);
        }
      }
      if (errors.length) return { error: errors.join('; ') };
      const readOnlyKinds = new Set(['configmap', 'secret', 'downward-api', 'projected']);
      const kinds = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, pluginOf(v)]));
      return {
        mounts(c: Container): Mount[] {
          return (c.volumeMounts ?? []).map((m) => {
            const base = paths.get(m.name);
            if (!base) throw new ContainerConfigError(`cannot find volume "${m.name}" to mount into container "${c.name}"`);
            let hostPath = base;
            if (m.subPath) {
              if (posix.isAbsolute(m.subPath) || m.subPath.split('/').includes('..')) {
                throw new ContainerConfigError(`subPath "${m.subPath}" must be a relative path without '..'`);
              }
              hostPath = join(base, m.subPath);
            }
            return {
              containerPath: m.mountPath,
              hostPath,
              readonly: (m.readOnly ?? false) || readOnlyKinds.has(kinds.get(m.name) ?? ''),
              propagation: m.mountPropagation === 'Bidirectional' ? 'PROPAGATION_BIDIRECTIONAL'
                : m.mountPropagation === 'HostToContainer' ? 'PROPAGATION_HOST_TO_CONTAINER' : 'PROPAGATION_PRIVATE',
            } as Mount;
          });
        },
      };
    },
    async tearDown(uid) {
      const dir = join(podDirectory(node, uid), 'volumes');
      await mounter.unmountUnder(dir);
      await rm(dir, { recursive: true, force: true });
      for (const key of [...tokens.keys()]) if (key.startsWith(`${uid}/`)) tokens.delete(key);
    },
  };
}
