import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';

export const podTemplateHashLabel = 'pod-template-hash';

/** rand.SafeEncodeString's alphabet: no vowels, no 0/1/3, so that hashes never spell words. */
const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** Each character mapped through the safe alphabet by its code (rand.SafeEncodeString). */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += safeAlphabet[ch.codePointAt(0)! % safeAlphabet.length];
  return out;
}

/** FNV-1a, 32 bit, over bytes. */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * JSON with object keys sorted, so that equal templates print equally (DeepHashObject's role).
 * Fields that are null, {} or [] print as absent: in Go's typed structs they are the same value
 * (kubectl's rollout undo sends `resources: {}` and `creationTimestamp: null`), and upstream
 * compares templates with semantic equality.
 */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => !isUnset(x)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * controller.ComputeHash: FNV-32a of the pod template, then of the collision count as 8
 * little-endian bytes when set, printed in decimal and safe-encoded. Upstream hashes Go's
 * spew dump of the struct; this hashes canonical JSON, so the values differ from upstream's
 * but are stable, deterministic and change exactly when the template (or the count) does.
 */
export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv32a(enc.encode(canonical(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const extra = new Uint8Array(8);
    new DataView(extra.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(extra, h);
  }
  return safeEncodeString(String(h));
}

function isUnset(x: unknown): boolean {
  if (x === undefined || x === null) return true;
  if (Array.isArray(x)) return x.length === 0;
  return typeof x === 'object' && Object.values(x as Record<string, unknown>).every(isUnset);
}
