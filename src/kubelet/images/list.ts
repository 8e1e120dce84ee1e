/** `k8ts image ls`: the runtime's images as the CRI lists them. */
import { createCriClient } from '../cri/client.js';
import type { Image } from '../cri/types.js';
import { parseImageReference } from './reference.js';

export interface ImageRow { image: string; tag: string; id: string; size: number; digest: string }

export async function listImages(socket: string, signal?: AbortSignal): Promise<ImageRow[]> {
  const cri = createCriClient(socket);
  try {
    const { images = [] } = await cri.image.listImages({}, { signal });
    return imageRows(images);
  } finally {
    cri.close();
  }
}

/** One row per tag (or one `<none>` row for an untagged image), sorted by name. */
export function imageRows(images: readonly Image[]): ImageRow[] {
  const rows: ImageRow[] = [];
  for (const img of images) {
    const id = img.id ?? '';
    const size = img.size ?? 0;
    const digest = img.repoDigests?.[0]?.split('@')[1] ?? '';
    const tags = img.repoTags ?? [];
    if (tags.length === 0) {
      const repo = img.repoDigests?.[0]?.split('@')[0] ?? '<none>';
      rows.push({ image: repo, tag: '<none>', id, size, digest });
    }
    for (const t of tags) {
      const r = parseImageReference(t);
      rows.push({ image: `${r.domain}/${r.path}`, tag: r.tag ?? '<none>', id, size, digest });
    }
  }
  return rows.sort((a, b) => a.image.localeCompare(b.image) || a.tag.localeCompare(b.tag));
}

function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)}${units[i]}`;
}

/** The table `k8ts image ls` prints (crictl's columns). */
export function formatImageTable(rows: readonly ImageRow[]): string {
  const table = [['IMAGE', 'TAG', 'IMAGE ID', 'SIZE'],
    ...rows.map((r) => [r.image, r.tag, r.id.replace(/^sha256:/, '').slice(0, 13), humanSize(r.size)])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n') + '\n';
}
