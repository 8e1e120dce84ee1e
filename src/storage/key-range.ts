/**
 * Key ranges shared by the backends: a prefix names every key that starts with it. Keys are
 * compared as strings; Kubernetes storage keys are ASCII, where that equals etcd's byte order.
 */

/**
 * A string above every key under `prefix` (exact for ASCII; a superset range otherwise, so callers
 * also test the prefix), or undefined when unbounded.
 */
export function prefixEnd(prefix: string): string | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const code = prefix.charCodeAt(i);
    if (code < 0x7f) return prefix.slice(0, i) + String.fromCharCode(code + 1);
  }
  return undefined;
}

/** The byte-range end of `prefix` as etcd wants it: increment the last byte below 0xff, drop the rest. */
export function prefixEndBytes(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i]! < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i]! += 1;
      return end;
    }
  }
  return Buffer.from([0]); // "\0": every key from the start (etcd's convention for "no end")
}
