/**
 * The JSONPath subset Kubernetes uses in CRD additionalPrinterColumns and `kubectl get -o
 * jsonpath`-style paths: `.a.b`, `['a.b']`, `[0]`, `[-1]`, `[*]`, `..a` (recursive), and filters
 * `[?(@.type=="Ready")]` with ==, != and a bare `@.x` existence test. An optional `{…}` wrapper is
 * accepted. Evaluation returns every match, in document order.
 */
type Step =
  | { kind: 'field'; name: string }
  | { kind: 'recursive'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'filter'; path: Step[]; op?: '==' | '!='; value?: unknown };

export class JsonPathError extends Error {}

export function compileJsonPath(expr: string): Step[] {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  if (s.startsWith('$')) s = s.slice(1);
  return parseSteps(s);
}

function parseSteps(s: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  const ident = () => {
    const m = /^[A-Za-z0-9_\-$]*/.exec(s.slice(i))![0];
    i += m.length;
    return m;
  };
  while (i < s.length) {
    if (s.startsWith('..', i)) {
      i += 2;
      steps.push({ kind: 'recursive', name: ident() });
    } else if (s[i] === '.') {
      i++;
      if (s[i] === '*') { i++; steps.push({ kind: 'wildcard' }); continue; }
      const name = ident();
      if (name) steps.push({ kind: 'field', name });
    } else if (s[i] === '[') {
      const end = matchingBracket(s, i);
      const inner = s.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'wildcard' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else if (inner.startsWith('?(') && inner.endsWith(')')) steps.push(parseFilter(inner.slice(2, -1).trim()));
      else throw new JsonPathError(`unsupported JSONPath segment [${inner}]`);
    } else if (/\s/.test(s[i]!)) {
      i++;
    } else {
      const name = ident();
      if (!name) throw new JsonPathError(`unexpected character ${JSON.stringify(s[i])} in JSONPath ${JSON.stringify(s)}`);
      steps.push({ kind: 'field', name });
    }
  }
  return steps;
}

function matchingBracket(s: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let j = open; j < s.length; j++) {
    const c = s[j];
    if (quote) { if (c === quote) quote = undefined; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return j;
  }
  throw new JsonPathError(`unclosed [ in JSONPath ${JSON.stringify(s)}`);
}

function parseFilter(text: string): Step {
  const m = /^@((?:\.[A-Za-z0-9_\-]+|\[[^\]]+\])*)\s*(?:(==|!=)\s*(.+))?$/.exec(text);
  if (!m) throw new JsonPathError(`unsupported JSONPath filter ${text}`);
  const path = parseSteps(m[1] ?? '');
  if (!m[2]) return { kind: 'filter', path };
  const raw = m[3]!.trim();
  let value: unknown;
  if (/^'.*'$|^".*"$/.test(raw)) value = raw.slice(1, -1);
  else if (raw === 'true' || raw === 'false') value = raw === 'true';
  else if (!Number.isNaN(Number(raw))) value = Number(raw);
  else throw new JsonPathError(`unsupported JSONPath filter value ${raw}`);
  return { kind: 'filter', path, op: m[2] as '==' | '!=', value };
}

export function evaluateJsonPath(steps: readonly Step[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) apply(step, v, next);
    current = next;
  }
  return current;
}

function apply(step: Step, v: unknown, out: unknown[]): void {
  switch (step.kind) {
    case 'field':
      if (v && typeof v === 'object' && !Array.isArray(v) && step.name in v) out.push((v as Record<string, unknown>)[step.name]);
      return;
    case 'index':
      if (Array.isArray(v)) {
        const i = step.index < 0 ? v.length + step.index : step.index;
        if (i >= 0 && i < v.length) out.push(v[i]);
      }
      return;
    case 'wildcard':
      if (Array.isArray(v)) out.push(...v);
      else if (v && typeof v === 'object') out.push(...Object.values(v));
      return;
    case 'recursive':
      walk(v, (x) => {
        if (x && typeof x === 'object' && !Array.isArray(x) && step.name in x) out.push((x as Record<string, unknown>)[step.name]);
      });
      return;
    case 'filter': {
      const items = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : [];
      for (const item of items) {
        const found = evaluateJsonPath(step.path, item);
        if (step.op === undefined ? found.length > 0 : found.some((f) => (step.op === '==' ? f === step.value : f !== step.value))) out.push(item);
      }
    }
  }
}

function walk(v: unknown, visit: (x: unknown) => void): void {
  visit(v);
  if (Array.isArray(v)) v.forEach((x) => walk(x, visit));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => walk(x, visit));
}
