// Development tool: regenerates the project's .proto files under ./schema from facts in the upstream
// Kubernetes sources (message names, field names, numbers and types from go-to-protobuf's
// generated.proto; pointer-ness, `omitempty` and `inline` from the Go struct tags in types.go).
// Only messages reachable from the kinds in `roots` are written.
//
//   npx tsx src/api/protobuf/generate-schema.ts <kubernetes/api git dir> <kubernetes/apimachinery git dir> <tag>
//
// e.g. with the mirrors fetched by the `fetch` tool: /work/.mirror/kubernetes+api/repo … v0.33.9
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface SourcePackage {
  /** protobuf package name, e.g. k8s.io.api.core.v1 */
  readonly proto: string;
  /** git dir and path inside it */
  readonly repo: 'api' | 'apimachinery';
  readonly dir: string;
  /** our file name under schema/ */
  readonly file: string;
}

const packages: readonly SourcePackage[] = [
  { proto: 'k8s.io.apimachinery.pkg.apis.meta.v1', repo: 'apimachinery', dir: 'pkg/apis/meta/v1', file: 'meta-v1.proto' },
  { proto: 'k8s.io.apimachinery.pkg.runtime', repo: 'apimachinery', dir: 'pkg/runtime', file: 'runtime.proto' },
  { proto: 'k8s.io.apimachinery.pkg.runtime.schema', repo: 'apimachinery', dir: 'pkg/runtime/schema', file: 'runtime-schema.proto' },
  { proto: 'k8s.io.apimachinery.pkg.util.intstr', repo: 'apimachinery', dir: 'pkg/util/intstr', file: 'intstr.proto' },
  { proto: 'k8s.io.apimachinery.pkg.api.resource', repo: 'apimachinery', dir: 'pkg/api/resource', file: 'resource.proto' },
  { proto: 'k8s.io.api.core.v1', repo: 'api', dir: 'core/v1', file: 'core-v1.proto' },
  { proto: 'k8s.io.api.apps.v1', repo: 'api', dir: 'apps/v1', file: 'apps-v1.proto' },
  { proto: 'k8s.io.api.batch.v1', repo: 'api', dir: 'batch/v1', file: 'batch-v1.proto' },
  { proto: 'k8s.io.api.rbac.v1', repo: 'api', dir: 'rbac/v1', file: 'rbac-v1.proto' },
  { proto: 'k8s.io.api.policy.v1', repo: 'api', dir: 'policy/v1', file: 'policy-v1.proto' },
  { proto: 'k8s.io.api.scheduling.v1', repo: 'api', dir: 'scheduling/v1', file: 'scheduling-v1.proto' },
  { proto: 'k8s.io.api.networking.v1', repo: 'api', dir: 'networking/v1', file: 'networking-v1.proto' },
  { proto: 'k8s.io.api.authentication.v1', repo: 'api', dir: 'authentication/v1', file: 'authentication-v1.proto' },
  { proto: 'k8s.io.api.authorization.v1', repo: 'api', dir: 'authorization/v1', file: 'authorization-v1.proto' },
  { proto: 'k8s.io.api.autoscaling.v1', repo: 'api', dir: 'autoscaling/v1', file: 'autoscaling-v1.proto' },
  { proto: 'k8s.io.api.autoscaling.v2', repo: 'api', dir: 'autoscaling/v2', file: 'autoscaling-v2.proto' },
  { proto: 'k8s.io.api.certificates.v1', repo: 'api', dir: 'certificates/v1', file: 'certificates-v1.proto' },
];

/** Kinds whose request bodies kubectl's typed clients send as protobuf (plus close relatives). */
const roots: readonly string[] = [
  'k8s.io.apimachinery.pkg.runtime.Unknown',
  'k8s.io.api.core.v1.ConfigMap', 'k8s.io.api.core.v1.Secret', 'k8s.io.api.core.v1.Namespace',
  'k8s.io.api.core.v1.Service', 'k8s.io.api.core.v1.ServiceAccount', 'k8s.io.api.core.v1.ResourceQuota',
  'k8s.io.api.core.v1.Pod', 'k8s.io.api.core.v1.Binding',
  'k8s.io.api.apps.v1.Deployment',
  'k8s.io.api.batch.v1.Job', 'k8s.io.api.batch.v1.CronJob',
  'k8s.io.api.rbac.v1.Role', 'k8s.io.api.rbac.v1.ClusterRole', 'k8s.io.api.rbac.v1.RoleBinding', 'k8s.io.api.rbac.v1.ClusterRoleBinding',
  'k8s.io.api.policy.v1.PodDisruptionBudget', 'k8s.io.api.policy.v1.Eviction',
  'k8s.io.api.scheduling.v1.PriorityClass',
  'k8s.io.api.networking.v1.Ingress',
  'k8s.io.api.authentication.v1.TokenRequest', 'k8s.io.api.authentication.v1.SelfSubjectReview', 'k8s.io.api.authentication.v1.TokenReview',
  'k8s.io.api.authorization.v1.SelfSubjectAccessReview', 'k8s.io.api.authorization.v1.SelfSubjectRulesReview',
  'k8s.io.api.authorization.v1.SubjectAccessReview', 'k8s.io.api.authorization.v1.LocalSubjectAccessReview',
  'k8s.io.api.autoscaling.v1.HorizontalPodAutoscaler', 'k8s.io.api.autoscaling.v1.Scale',
  'k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler',
  'k8s.io.api.certificates.v1.CertificateSigningRequest',
  'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions',
];

/** Messages the decoder converts by hand; their Go types have custom JSON marshalling. */
const customJson = new Set([
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time', 'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration', 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'k8s.io.apimachinery.pkg.runtime.RawExtension', 'k8s.io.apimachinery.pkg.runtime.Unknown',
  'k8s.io.apimachinery.pkg.runtime.TypeMeta',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString', 'k8s.io.apimachinery.pkg.api.resource.Quantity',
]);

interface ProtoField { label: 'optional' | 'repeated' | 'map'; type: string; keyType?: string; name: string; number: number }
interface ProtoMessage { pkg: string; name: string; fields: ProtoField[] }
interface GoField { goType: string; jsonName: string; omitempty: boolean; inline: boolean }
interface GoType { fields: Map<number, GoField>; sliceOf?: string }

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

function parseProto(text: string, pkg: string): ProtoMessage[] {
  const lines = text.split('\n').map((l) => l.replace(/\/\/.*$/, '').trim());
  const out: ProtoMessage[] = [];
  let current: ProtoMessage | undefined;
  for (const line of lines) {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^message (\w+) \{$/))) { current = { pkg, name: m[1]!, fields: [] }; out.push(current); continue; }
    if (line === '}') { current = undefined; continue; }
    if (!current || !line) continue;
    if ((m = line.match(/^map<(\w+), ?([\w.]+)> (\w+) = (\d+);$/))) {
      current.fields.push({ label: 'map', keyType: m[1]!, type: m[2]!, name: m[3]!, number: Number(m[4]) });
    } else if ((m = line.match(/^(optional|repeated) ([\w.]+) (\w+) = (\d+);$/))) {
      current.fields.push({ label: m[1] as 'optional' | 'repeated', type: m[2]!, name: m[3]!, number: Number(m[4]) });
    } else {
      throw new Error(`unparsed proto line in ${pkg}.${current.name}: ${line}`);
    }
  }
  return out;
}

function parseGo(text: string, types: Map<string, GoType>): void {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const slice = lines[i]!.match(/^type (\w+) \[\](\w+)\s*$/);
    if (slice) { types.set(slice[1]!, { fields: new Map(), sliceOf: slice[2]! }); continue; }
    const head = lines[i]!.match(/^type (\w+) struct \{/);
    if (!head) continue;
    const fields = new Map<number, GoField>();
    for (i++; i < lines.length && !lines[i]!.startsWith('}'); i++) {
      const line = lines[i]!.trim();
      const tag = line.match(/`(.*)`/)?.[1];
      if (!tag || line.startsWith('//')) continue;
      const pb = tag.match(/protobuf:"([^"]*)"/)?.[1];
      if (!pb) continue;
      const number = Number(pb.split(',')[1]);
      const json = tag.match(/json:"([^"]*)"/)?.[1] ?? '';
      const [jsonName = '', ...opts] = json.split(',');
      const decl = line.slice(0, line.indexOf('`')).trim().split(/\s+/);
      const goType = decl.length >= 2 ? decl[1]! : decl[0]!;
      fields.set(number, { goType, jsonName, omitempty: opts.includes('omitempty'), inline: opts.includes('inline') });
    }
    types.set(head[1]!, { fields });
  }
}

const scalars = new Set(['string', 'bytes', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'double', 'float', 'fixed32', 'fixed64', 'sint32', 'sint64', 'sfixed32', 'sfixed64']);

function generate(apiDir: string, machineryDir: string, tag: string, outDir: string): void {
  const dirs = { api: apiDir, apimachinery: machineryDir };
  const messages = new Map<string, ProtoMessage>();
  const goTypes = new Map<string, Map<string, GoType>>();
  for (const p of packages) {
    const root = dirs[p.repo];
    for (const m of parseProto(git(root, 'show', `${tag}:${p.dir}/generated.proto`), p.proto)) messages.set(`${p.proto}.${m.name}`, m);
    const types = new Map<string, GoType>();
    const files = git(root, 'ls-tree', '--name-only', `${tag}:${p.dir}`).split('\n')
      .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go') && !f.startsWith('zz_') && !f.startsWith('generated'));
    for (const f of files) parseGo(git(root, 'show', `${tag}:${p.dir}/${f}`), types);
    goTypes.set(p.proto, types);
  }

  const resolve = (from: ProtoMessage, type: string): string | undefined => {
    if (scalars.has(type)) return undefined;
    const full = type.startsWith('.') ? type.slice(1) : `${from.pkg}.${type}`;
    if (!messages.has(full)) throw new Error(`unknown type ${type} in ${from.pkg}.${from.name}`);
    return full;
  };
  const reachable = new Set<string>();
  const visit = (full: string): void => {
    if (reachable.has(full)) return;
    reachable.add(full);
    const m = messages.get(full);
    if (!m) throw new Error(`root ${full} not found`);
    if (customJson.has(full) && full !== 'k8s.io.apimachinery.pkg.runtime.Unknown') return;
    for (const f of m.fields) { const t = resolve(m, f.type); if (t) visit(t); }
  };
  for (const r of [...roots, ...customJson]) visit(r);

  mkdirSync(outDir, { recursive: true });
  for (const p of packages) {
    const mine = [...reachable].filter((n) => n.slice(0, n.lastIndexOf('.')) === p.proto).sort();
    if (mine.length === 0) continue;
    const imports = new Set<string>(['k8ts-options.proto']);
    const body: string[] = [];
    for (const full of mine) {
      const m = messages.get(full)!;
      const go = goTypes.get(p.proto)!.get(m.name);
      const custom = customJson.has(full);
      if (!go && !custom) throw new Error(`no Go type for ${full}`);
      const msgOpts: string[] = [];
      if (go?.sliceOf) msgOpts.push('  option (k8ts.list_wrapper) = true;');
      body.push(`message ${m.name} {`, ...msgOpts);
      for (const f of m.fields) {
        const t = resolve(m, f.type);
        if (t && t.slice(0, t.lastIndexOf('.')) !== p.proto) {
          imports.add(packages.find((q) => q.proto === t.slice(0, t.lastIndexOf('.')))!.file);
        }
        const opts: string[] = [];
        const gf = go?.fields.get(f.number);
        if (go && !go.sliceOf && !custom) {
          if (!gf) throw new Error(`no Go field for ${full} #${f.number}`);
          if (gf.inline) opts.push('(k8ts.inline) = true');
          else if (gf.jsonName !== f.name) opts.push(`(k8ts.json) = "${gf.jsonName}"`);
          const pointer = gf.goType.startsWith('*');
          if (f.label === 'optional' && !t && !pointer && gf.omitempty) opts.push('(k8ts.omitempty) = true');
        }
        const type = t ? `.${t}` : f.type;
        const decl = f.label === 'map' ? `map<${f.keyType}, ${type}> ${f.name} = ${f.number}` : `${f.label} ${type} ${f.name} = ${f.number}`;
        body.push(`  ${decl}${opts.length ? ` [${opts.join(', ')}]` : ''};`);
      }
      body.push('}', '');
    }
    const head = [
      `// k8ts schema for ${p.proto}: the messages reachable from the kinds kubectl sends as protobuf.`,
      `// Message and field numbers follow upstream Kubernetes ${tag}; regenerate with generate-schema.ts.`,
      '// (k8ts.*) options carry the Go JSON facts the decoder needs (see k8ts-options.proto).',
      '',
      'syntax = "proto2";',
      '',
      `package ${p.proto};`,
      '',
      ...[...imports].sort().filter((f) => f !== p.file).map((f) => `import "${f}";`),
      '',
    ];
    writeFileSync(join(outDir, p.file), [...head, ...body].join('\n'));
  }
}

// Runs only when executed directly (the module is compiled with the rest of src/ but never imported).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [apiDir, machineryDir, tag] = process.argv.slice(2);
  if (!apiDir || !machineryDir || !tag) throw new Error('usage: generate-schema.ts <kubernetes/api git dir> <kubernetes/apimachinery git dir> <tag>');
  generate(apiDir, machineryDir, tag, join(dirname(fileURLToPath(import.meta.url)), 'schema'));
}
