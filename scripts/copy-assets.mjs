// Copies the non-TypeScript files the runtime reads (generated schemas, .proto files, C sources)
// from src/ into dist/src/, keeping their paths.
import { readdirSync, statSync, mkdirSync, copyFileSync } from 'node:fs';
import { join, dirname } from 'node:path';

const exts = ['.json', '.proto', '.c', '.bin'];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (exts.some((e) => p.endsWith(e))) {
      const out = join('dist', p);
      mkdirSync(dirname(out), { recursive: true });
      copyFileSync(p, out);
    }
  }
}
walk('src');
