import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { ResourceDefinition } from '../../api/resource.js';
import type { KubeObject } from '../../api/types.js';
import { controllerRevisions, type ControllerRevisionObject } from '../../api/resources/index.js';
import { isAlreadyExists } from '../../api/errors.js';
import type { Client } from '../../client/types.js';
import { newControllerRef } from '../../client/controller-ref.js';

/** controller.kubernetes.io/hash: the revision's own hash label. */
export const revisionHashLabel = 'controller.kubernetes.io/hash';
const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: each byte of `s` mapped into an alphabet without vowels. */
export function safeEncode(s: string): string {
  let out = '';
  for (const ch of Buffer.from(s, 'utf8')) out += safeAlphabet[ch % safeAlphabet.length];
  return out;
}

/** FNV-1 (32-bit), as Go's hash/fnv New32. */
export function fnv32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) { h = Math.imul(h, 0x01000193) >>> 0; h = (h ^ b) >>> 0; }
  return h;
}

/** HashControllerRevision: FNV-1 of the data (and the collision count), safe-encoded. */
export function hashRevisionData(data: unknown, collisionCount?: number): string {
  let h = fnv32(Buffer.from(JSON.stringify(data), 'utf8'));
  if (collisionCount) h = fnv32(Buffer.from(String(collisionCount), 'utf8'), h);
  return safeEncode(String(h));
}

/** getPatch: what a StatefulSet/DaemonSet revision stores — the template, replacing on apply. */
export function templatePatch(template: PodTemplateSpec | undefined): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: { ...(structuredClone(template ?? {}) as Record<string, unknown>), $patch: 'replace' } } };
}

/** The pod template a revision's data holds (ApplyRevision's effect on the template). */
export function templateOfRevision(rev: Pick<ControllerRevisionObject, 'data'>): PodTemplateSpec {
  const t = structuredClone(((rev.data as { spec?: { template?: Record<string, unknown> } } | undefined)?.spec?.template) ?? {});
  delete t.$patch;
  return t as PodTemplateSpec;
}

/** ControllerRevisionName: `<parent>-<hash>`, the prefix cut to 223 characters. */
export function revisionName(parent: string, hash: string): string {
  return `${parent.length > 223 ? parent.slice(0, 223) : parent}-${hash}`;
}

/** NewControllerRevision: labels from the template plus the hash label, owner ref, name from the hash. */
export function newRevision(owner: KubeObject, res: Pick<ResourceDefinition, 'group' | 'version' | 'kind'>, template: PodTemplateSpec | undefined,
  revision: number, collisionCount?: number): ControllerRevisionObject {
  const data = templatePatch(template);
  const hash = hashRevisionData(data, collisionCount);
  return {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name: revisionName(owner.metadata.name ?? '', hash), namespace: owner.metadata.namespace,
      labels: { ...template?.metadata?.labels, [revisionHashLabel]: hash },
      ownerReferences: [newControllerRef(owner, res)],
    },
    data, revision,
  };
}

/** Revisions whose data equals `rev`'s (FindEqualRevisions). */
export function equalRevisions(revisions: readonly ControllerRevisionObject[], rev: ControllerRevisionObject): ControllerRevisionObject[] {
  const want = JSON.stringify(rev.data);
  return revisions.filter((r) => JSON.stringify(r.data) === want);
}

/** The next revision number: one past the highest. */
export function nextRevisionNumber(revisions: readonly ControllerRevisionObject[]): number {
  return revisions.reduce((m, r) => Math.max(m, r.revision ?? 0), 0) + 1;
}

/** Oldest-first by revision number, then name. */
export function sortRevisions<T extends ControllerRevisionObject>(revisions: readonly T[]): T[] {
  return [...revisions].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
}

/** truncateHistory: the revisions beyond `limit` that are neither live nor in use, oldest first. */
export function revisionsToPrune(revisions: readonly ControllerRevisionObject[], live: ReadonlySet<string>, limit: number): ControllerRevisionObject[] {
  const history = sortRevisions(revisions).filter((r) => !live.has(r.metadata.name ?? ''));
  return history.slice(0, Math.max(0, history.length - limit));
}

/** What ensureUpdateRevision settles on. */
export interface RevisionSync {
  update: ControllerRevisionObject;
  collisionCount: number;
}

/**
 * The update revision for `template` (getStatefulSetRevisions / constructHistory): reuse an
 * equal revision (renumbering it when it is not the latest, as a rollback does), else create
 * one, bumping collisionCount when a different revision already holds the name.
 */
export async function ensureUpdateRevision(client: Client, res: Pick<ResourceDefinition, 'group' | 'version' | 'kind'>, owner: KubeObject,
  template: PodTemplateSpec | undefined, revisions: readonly ControllerRevisionObject[], collisionCount: number, signal: AbortSignal): Promise<RevisionSync> {
  const next = nextRevisionNumber(revisions);
  let count = collisionCount;
  const probe = newRevision(owner, res, template, next, count);
  const equal = sortRevisions(equalRevisions(revisions, probe));
  const latest = sortRevisions(revisions).at(-1);
  if (equal.length) {
    const found = equal.at(-1)!;
    if (found.metadata.name === latest?.metadata.name) return { update: found, collisionCount: count };
    const renumbered = await client.update(controllerRevisions, { ...structuredClone(found), revision: next }, { signal });
    return { update: renumbered, collisionCount: count };
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const rev = newRevision(owner, res, template, next, count);
    try {
      return { update: await client.create(controllerRevisions, rev, { signal }), collisionCount: count };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await client.get(controllerRevisions, rev.metadata.namespace ?? '', rev.metadata.name ?? '', { signal });
      if (JSON.stringify(existing.data) === JSON.stringify(rev.data) && existing.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid)) {
        return { update: existing, collisionCount: count };
      }
      count++;
    }
  }
  throw new Error(`no free ControllerRevision name for ${owner.metadata.namespace}/${owner.metadata.name} after 100 collisions`);
}
