/** Field paths as Kubernetes prints them: `spec.template.spec.containers[0].image`, `data[key]`. */

export function child(path: string, ...names: string[]): string {
  // Validation builds a path for every field it visits: no arrays on the way.
  let out = path;
  for (const n of names) if (n !== '') out = out === '' ? n : `${out}.${n}`;
  return out;
}

export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}
