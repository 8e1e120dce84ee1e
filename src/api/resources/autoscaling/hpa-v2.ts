import type { HorizontalPodAutoscaler, HPAScalingRules, MetricSpec, MetricStatus, MetricTarget } from 'kubernetes-types/autoscaling/v2.js';
import type { FieldError, ObjectMeta, Writable } from '../../types.js';
import { fieldErr } from '../../errors.js';
import { child, index, isValidPathSegmentName } from '../../validation/index.js';
import { canonicalQuantity, tryParseQuantity } from '../../quantity.js';

export type HPAv2Object = Omit<Writable<HorizontalPodAutoscaler>, 'metadata'> & { metadata: ObjectMeta };

/** autoscaling.DefaultCPUUtilization */
export const defaultCPUUtilization = 80;

function defaultScaleUp(r: HPAScalingRules | undefined): HPAScalingRules {
  const out: HPAScalingRules = r ?? {};
  out.stabilizationWindowSeconds ??= 0;
  out.selectPolicy ??= 'Max';
  out.policies ??= [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }];
  return out;
}

function defaultScaleDown(r: HPAScalingRules | undefined): HPAScalingRules {
  const out: HPAScalingRules = r ?? {};
  out.selectPolicy ??= 'Max';
  out.policies ??= [{ type: 'Percent', value: 100, periodSeconds: 15 }];
  return out;
}

/** SetDefaults_HorizontalPodAutoscaler (v2): minReplicas 1, CPU 80% when no metrics, behavior rules filled. */
export function defaultHPAv2(hpa: HPAv2Object): void {
  hpa.spec ??= { scaleTargetRef: { kind: '', name: '' }, maxReplicas: 0 };
  const spec = hpa.spec;
  spec.minReplicas ??= 1;
  if (!spec.metrics?.length) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: defaultCPUUtilization } } }];
  }
  if (spec.behavior) {
    spec.behavior.scaleUp = defaultScaleUp(spec.behavior.scaleUp);
    spec.behavior.scaleDown = defaultScaleDown(spec.behavior.scaleDown);
  }
}

function positiveQuantity(v: unknown, path: string): FieldError[] {
  const q = tryParseQuantity(v);
  if (typeof q === 'string') return [fieldErr.invalid(path, v, q)];
  return q.nanos > 0n ? [] : [fieldErr.invalid(path, v, 'must be positive')];
}

function validateMetricTarget(t: MetricTarget | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = t?.type ?? '';
  if (!type) errs.push(fieldErr.required(child(path, 'type'), 'must specify a metric target type'));
  if (!['Utilization', 'Value', 'AverageValue'].includes(type)) errs.push(fieldErr.invalid(child(path, 'type'), type, 'must be either Utilization, Value, or AverageValue'));
  if (t?.value !== undefined) errs.push(...positiveQuantity(t.value, child(path, 'value')));
  if (t?.averageValue !== undefined) errs.push(...positiveQuantity(t.averageValue, child(path, 'averageValue')));
  if (t?.averageUtilization != null && t.averageUtilization < 1) errs.push(fieldErr.invalid(child(path, 'averageUtilization'), t.averageUtilization, 'must be greater than 0'));
  return errs;
}

function validateMetricIdentifier(name: string | undefined, path: string): FieldError[] {
  if (!name) return [fieldErr.required(child(path, 'name'), 'must specify a metric name')];
  return isValidPathSegmentName(name).map((m) => fieldErr.invalid(child(path, 'name'), name, m));
}

const sourceField = { Object: 'object', Pods: 'pods', Resource: 'resource', External: 'external', ContainerResource: 'containerResource' } as const;
const sourceTypes = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];

function validateMetricSpec(m: MetricSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!m.type) errs.push(fieldErr.required(child(path, 'type'), 'must specify a metric source type'));
  const present = Object.values(sourceField).filter((f) => m[f] != null);
  const first = present[0];
  if (m.object && first === 'object') {
    const p = child(path, 'object');
    const ref = m.object.describedObject;
    if (!ref?.kind) errs.push(fieldErr.required(child(p, 'describedObject', 'kind'), ''));
    if (!ref?.name) errs.push(fieldErr.required(child(p, 'describedObject', 'name'), ''));
    errs.push(...validateMetricIdentifier(m.object.metric?.name, child(p, 'metric')));
    errs.push(...validateMetricTarget(m.object.target, child(p, 'target')));
    if (m.object.target?.value === undefined && m.object.target?.averageValue === undefined) {
      errs.push(fieldErr.required(child(p, 'target', 'averageValue'), 'must set either a target value or averageValue'));
    }
  }
  if (m.pods && first === 'pods') {
    const p = child(path, 'pods');
    errs.push(...validateMetricIdentifier(m.pods.metric?.name, child(p, 'metric')));
    errs.push(...validateMetricTarget(m.pods.target, child(p, 'target')));
    if (m.pods.target?.averageValue === undefined) errs.push(fieldErr.required(child(p, 'target', 'averageValue'), 'must specify a positive target averageValue'));
  }
  if (m.external && first === 'external') {
    const p = child(path, 'external');
    errs.push(...validateMetricIdentifier(m.external.metric?.name, child(p, 'metric')));
    errs.push(...validateMetricTarget(m.external.target, child(p, 'target')));
    const t = m.external.target;
    if (t?.value === undefined && t?.averageValue === undefined) errs.push(fieldErr.required(child(p, 'target', 'averageValue'), 'must set either a target value for metric or a per-pod target'));
    if (t?.value !== undefined && t.averageValue !== undefined) errs.push(fieldErr.forbidden(child(p, 'target', 'value'), 'may not set both a target value for metric and a per-pod target'));
  }
  for (const kind of ['resource', 'containerResource'] as const) {
    const src = m[kind];
    if (!src || first !== kind) continue;
    const p = child(path, kind);
    if (!src.name) errs.push(fieldErr.required(child(p, 'name'), 'must specify a resource name'));
    if (kind === 'containerResource' && !m.containerResource!.container) errs.push(fieldErr.required(child(p, 'container'), 'must specify a container'));
    errs.push(...validateMetricTarget(src.target, child(p, 'target')));
    if (src.target?.averageUtilization == null && src.target?.averageValue === undefined) {
      errs.push(fieldErr.required(child(p, 'target', 'averageUtilization'), 'must set either a target raw value or a target utilization'));
    }
    if (src.target?.averageUtilization != null && src.target.averageValue !== undefined) {
      errs.push(fieldErr.forbidden(child(p, 'target', 'averageValue'), 'may not set both a target raw value and a target utilization'));
    }
  }
  const expected = sourceField[m.type as keyof typeof sourceField];
  if (!expected) {
    if (m.type) errs.push(fieldErr.notSupported(child(path, 'type'), m.type, sourceTypes));
  } else if (m[expected] == null) {
    errs.push(fieldErr.required(child(path, expected), 'must populate information for the given metric source'));
  }
  if (present.length !== 1) {
    for (const f of present) if (f !== expected) errs.push(fieldErr.forbidden(child(path, f), 'must populate the given metric source only'));
  }
  return errs;
}

function validateScalingRules(r: HPAScalingRules | undefined, path: string): FieldError[] {
  if (!r) return [];
  const errs: FieldError[] = [];
  const w = r.stabilizationWindowSeconds;
  if (w != null && w < 0) errs.push(fieldErr.invalid(child(path, 'stabilizationWindowSeconds'), w, 'must be greater than or equal to zero'));
  if (w != null && w > 3600) errs.push(fieldErr.invalid(child(path, 'stabilizationWindowSeconds'), w, 'must be less than or equal to 3600'));
  if (r.selectPolicy && !['Disabled', 'Max', 'Min'].includes(r.selectPolicy)) {
    errs.push(fieldErr.notSupported(child(path, 'selectPolicy'), r.selectPolicy, ['Disabled', 'Max', 'Min']));
  }
  const policies = r.policies ?? [];
  if (policies.length === 0) errs.push(fieldErr.required(child(path, 'policies'), 'must specify at least one Policy'));
  policies.forEach((p, i) => {
    const pp = index(child(path, 'policies'), i);
    if (!['Pods', 'Percent'].includes(p.type)) errs.push(fieldErr.notSupported(child(pp, 'type'), p.type, ['Percent', 'Pods']));
    if (p.value <= 0) errs.push(fieldErr.invalid(child(pp, 'value'), p.value, 'must be greater than zero'));
    if (p.periodSeconds <= 0) errs.push(fieldErr.invalid(child(pp, 'periodSeconds'), p.periodSeconds, 'must be greater than zero'));
    if (p.periodSeconds > 1800) errs.push(fieldErr.invalid(child(pp, 'periodSeconds'), p.periodSeconds, 'must be less than or equal to 1800'));
  });
  return errs;
}

/** ValidateHorizontalPodAutoscaler's spec rules (v2 / internal shape). */
export function validateHPAv2(hpa: HPAv2Object): FieldError[] {
  const spec = hpa.spec;
  if (!spec) return [fieldErr.required('spec', '')];
  const errs: FieldError[] = [];
  if (spec.minReplicas != null && spec.minReplicas < 1) errs.push(fieldErr.invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  if (spec.maxReplicas < 1) errs.push(fieldErr.invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than 0'));
  if (spec.minReplicas != null && spec.maxReplicas < spec.minReplicas) errs.push(fieldErr.invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  const ref = spec.scaleTargetRef ?? { kind: '', name: '' };
  if (!ref.kind) errs.push(fieldErr.required('spec.scaleTargetRef.kind', ''));
  else for (const m of isValidPathSegmentName(ref.kind)) errs.push(fieldErr.invalid('spec.scaleTargetRef.kind', ref.kind, m));
  if (!ref.name) errs.push(fieldErr.required('spec.scaleTargetRef.name', ''));
  else for (const m of isValidPathSegmentName(ref.name)) errs.push(fieldErr.invalid('spec.scaleTargetRef.name', ref.name, m));
  (spec.metrics ?? []).forEach((m, i) => errs.push(...validateMetricSpec(m, index('spec.metrics', i))));
  errs.push(...validateScalingRules(spec.behavior?.scaleUp, 'spec.behavior.scaleUp'));
  errs.push(...validateScalingRules(spec.behavior?.scaleDown, 'spec.behavior.scaleDown'));
  return errs;
}

export function validateHPAv2Status(hpa: HPAv2Object): FieldError[] {
  const st = hpa.status;
  const errs: FieldError[] = [];
  if (st?.currentReplicas != null && st.currentReplicas < 0) errs.push(fieldErr.invalid('status.currentReplicas', st.currentReplicas, 'must be greater than or equal to 0'));
  if (st?.desiredReplicas != null && st.desiredReplicas < 0) errs.push(fieldErr.invalid('status.desiredReplicas', st.desiredReplicas, 'must be greater than or equal to 0'));
  return errs;
}

const q = (v: unknown): string => {
  if (typeof v !== 'string' && typeof v !== 'number') return '<unknown>';
  try { return canonicalQuantity(v); } catch { return String(v); }
};

/** formatHPAMetrics: `cpu: 50%/80%`, `<unknown>/80%`, at most two then `+ N more...`. */
export function formatHPAMetrics(specs: readonly MetricSpec[] | undefined, statuses: readonly MetricStatus[] | undefined): string {
  if (!specs?.length) return '<none>';
  const st = statuses ?? [];
  const list: string[] = specs.map((spec, i) => {
    const s = st[i];
    switch (spec.type) {
      case 'External': {
        const t = spec.external!.target;
        if (t.averageValue !== undefined) return `${s?.external?.current.averageValue !== undefined ? q(s.external.current.averageValue) : '<unknown>'}/${q(t.averageValue)} (avg)`;
        return `${s?.external ? q(s.external.current.value) : '<unknown>'}/${q(t.value)}`;
      }
      case 'Pods':
        return `${s?.pods ? q(s.pods.current.averageValue) : '<unknown>'}/${q(spec.pods!.target.averageValue)}`;
      case 'Object': {
        const t = spec.object!.target;
        if (t.averageValue !== undefined) return `${s?.object?.current.averageValue !== undefined ? q(s.object.current.averageValue) : '<unknown>'}/${q(t.averageValue)} (avg)`;
        return `${s?.object ? q(s.object.current.value) : '<unknown>'}/${q(t.value)}`;
      }
      case 'Resource':
      case 'ContainerResource': {
        const src = spec.type === 'Resource' ? spec.resource! : spec.containerResource!;
        const cur = spec.type === 'Resource' ? s?.resource : s?.containerResource;
        if (src.target.averageValue !== undefined) return `${src.name}: ${cur ? q(cur.current.averageValue) : '<unknown>'}/${q(src.target.averageValue)}`;
        const current = cur?.current.averageUtilization != null ? `${cur.current.averageUtilization}%` : '<unknown>';
        const target = src.target.averageUtilization != null ? `${src.target.averageUtilization}%` : '<auto>';
        return `${src.name}: ${current}/${target}`;
      }
      default:
        return '<unknown type>';
    }
  });
  if (list.length > 2) return `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...`;
  return list.join(', ');
}
