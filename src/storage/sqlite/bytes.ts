/**
 * The value as a Buffer (what the drivers bind and readers expect), without a copy when it is one
 * already: watchers get the writer's own value object (the apiserver's codec recognises its own
 * bytes by it).
 */
export function asBuffer(value: Uint8Array): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * Bytes to post to another thread: a view of a larger buffer (Node's small Buffers share an
 * 8 KiB pool) would take the whole buffer along, so such a view is copied first.
 */
export function ownBytes(v: Uint8Array): Uint8Array {
  return v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v : new Uint8Array(v);
}
