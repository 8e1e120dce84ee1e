import type { Job, JobSpec, JobTemplateSpec } from 'kubernetes-types/batch/v1.js';
import type { FieldError, ObjectMeta, Writable } from '../../types.js';
import { defineResource } from '../../resource.js';
import { fieldErr } from '../../errors.js';
import { humanDuration } from '../../printers.js';
import { child, isDNS1123Label, key, semanticEqual, validateImmutableField, validateLabelSelector, validateNonnegative } from '../../validation/index.js';
import { formatLabelSelector, labelSelectorAsRequirements, matchesLabels, LabelSelectorParseError } from '../../selectors/index.js';
import { ageColumn, defaultPodTemplateSpec, templateColumns, validatePodTemplateSpec } from '../core/index.js';

export type JobObject = Omit<Writable<Job>, 'metadata'> & { metadata: ObjectMeta };

export const controllerUidLabel = 'batch.kubernetes.io/controller-uid';
export const jobNameLabel = 'batch.kubernetes.io/job-name';
export const legacyControllerUidLabel = 'controller-uid';
export const legacyJobNameLabel = 'job-name';
const maxParallelismForIndexedJob = 100000;
const maxInt32 = 2147483647;

/** SetDefaults_Job's spec part (also what a CronJob's jobTemplate would get as a Job). */
export function defaultJobSpec(spec: JobSpec): void {
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex != null ? maxInt32 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const p of rule.onPodConditions ?? []) p.status ||= 'True';
  }
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
}

/** SetDefaults_Job: counts, backoff, completion mode, suspend; job labels from the template. */
export function defaultJob(job: JobObject): void {
  job.spec ??= { template: {} };
  defaultJobSpec(job.spec);
  const labels = job.spec.template?.metadata?.labels;
  if (labels && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...labels };
  defaultPodTemplateSpec(job.spec.template);
}

/**
 * The job strategy's generateSelector: unless manualSelector, the pods get job-name and
 * controller-uid labels (new and legacy keys) and the selector is controller-uid = metadata.uid.
 */
export function generateJobSelector(job: JobObject): void {
  const spec = job.spec!;
  if (spec.manualSelector) return;
  const uid = job.metadata.uid ?? '';
  spec.template ??= {};
  spec.template.metadata ??= {};
  const labels = (spec.template.metadata.labels ??= {});
  for (const k of [legacyJobNameLabel, jobNameLabel]) if (!(k in labels)) labels[k] = job.metadata.name ?? '';
  for (const k of [legacyControllerUidLabel, controllerUidLabel]) if (!(k in labels)) labels[k] = uid;
  spec.selector ??= {};
  spec.selector.matchLabels ??= {};
  if (!(controllerUidLabel in spec.selector.matchLabels)) spec.selector.matchLabels[controllerUidLabel] = uid;
}

function validateHasLabel(labels: Record<string, string> | undefined, path: string, k: string, expected: string): FieldError[] {
  const actual = labels?.[k];
  if (actual === undefined) return [fieldErr.required(key(child(path, 'labels'), k), expected)];
  if (actual !== expected) return [fieldErr.invalid(key(child(path, 'labels'), k), labels, `must be '${expected}'`)];
  return [];
}

/** validateGeneratedSelector: the generated labels and selector are intact. */
function validateGeneratedSelector(job: JobObject): FieldError[] {
  const spec = job.spec!;
  if (spec.manualSelector) return [];
  const labels = spec.template?.metadata?.labels;
  if (!labels) return [];
  const errs: FieldError[] = [];
  const uid = job.metadata.uid ?? '';
  if (!uid) errs.push(fieldErr.required('metadata.uid', ''));
  const p = 'spec.template.metadata';
  errs.push(...validateHasLabel(labels, p, legacyControllerUidLabel, uid));
  errs.push(...validateHasLabel(labels, p, legacyJobNameLabel, job.metadata.name ?? ''));
  errs.push(...validateHasLabel(labels, p, controllerUidLabel, uid));
  errs.push(...validateHasLabel(labels, p, jobNameLabel, job.metadata.name ?? ''));
  if (!semanticEqual(spec.selector, { matchLabels: { [controllerUidLabel]: uid } })) {
    errs.push(fieldErr.invalid('spec.selector', spec.selector ?? null, '`selector` not auto-generated'));
  }
  return errs;
}

/** validateJobSpec (the part shared with CronJob job templates). */
function validateJobSpecCommon(spec: JobSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(spec.parallelism, child(path, 'parallelism')));
  errs.push(...validateNonnegative(spec.completions, child(path, 'completions')));
  errs.push(...validateNonnegative(spec.activeDeadlineSeconds, child(path, 'activeDeadlineSeconds')));
  errs.push(...validateNonnegative(spec.backoffLimit, child(path, 'backoffLimit')));
  errs.push(...validateNonnegative(spec.ttlSecondsAfterFinished, child(path, 'ttlSecondsAfterFinished')));
  if (spec.backoffLimitPerIndex != null) {
    errs.push(...validateNonnegative(spec.backoffLimitPerIndex, child(path, 'backoffLimitPerIndex')));
    if (spec.completionMode !== 'Indexed') errs.push(fieldErr.forbidden(child(path, 'backoffLimitPerIndex'), 'requires indexed completion mode'));
  }
  if (spec.maxFailedIndexes != null) {
    errs.push(...validateNonnegative(spec.maxFailedIndexes, child(path, 'maxFailedIndexes')));
    if (spec.backoffLimitPerIndex == null) errs.push(fieldErr.required(child(path, 'backoffLimitPerIndex'), 'when maxFailedIndexes is specified'));
  }
  if (spec.completionMode != null) {
    if (spec.completionMode !== 'NonIndexed' && spec.completionMode !== 'Indexed') {
      errs.push(fieldErr.notSupported(child(path, 'completionMode'), spec.completionMode, ['NonIndexed', 'Indexed']));
    }
    if (spec.completionMode === 'Indexed') {
      if (spec.completions == null) errs.push(fieldErr.required(child(path, 'completions'), 'when completion mode is Indexed'));
      if (spec.parallelism != null && spec.parallelism > maxParallelismForIndexedJob) {
        errs.push(fieldErr.invalid(child(path, 'parallelism'), spec.parallelism, `must be less than or equal to ${maxParallelismForIndexedJob} when completion mode is Indexed`));
      }
    }
  }
  if (spec.podReplacementPolicy != null) {
    const valid = spec.podFailurePolicy ? ['Failed'] : ['Failed', 'TerminatingOrFailed'];
    if (!valid.includes(spec.podReplacementPolicy)) errs.push(fieldErr.notSupported(child(path, 'podReplacementPolicy'), spec.podReplacementPolicy, valid));
  }
  const tp = child(path, 'template');
  errs.push(...validatePodTemplateSpec(spec.template, tp));
  const restart = spec.template?.spec?.restartPolicy ?? '';
  const rp = child(tp, 'spec', 'restartPolicy');
  if (restart === 'Always' || restart === '') errs.push(fieldErr.required(rp, 'valid values: "OnFailure", "Never"'));
  else if (restart !== 'OnFailure' && restart !== 'Never') errs.push(fieldErr.notSupported(rp, restart, ['OnFailure', 'Never']));
  else if (spec.podFailurePolicy && restart !== 'Never') errs.push(fieldErr.invalid(rp, restart, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

/** ValidateJobSpec: the common rules plus a selector that matches the template. */
export function validateJobSpec(spec: JobSpec, path: string): FieldError[] {
  const errs = validateJobSpecCommon(spec, path);
  if (!spec.selector) errs.push(fieldErr.required(child(path, 'selector'), ''));
  else errs.push(...validateLabelSelector(spec.selector, child(path, 'selector')));
  try {
    const sel = labelSelectorAsRequirements(spec.selector);
    const labels = spec.template?.metadata?.labels ?? {};
    if (!matchesLabels(sel, labels)) {
      errs.push(fieldErr.invalid(child(path, 'template', 'metadata', 'labels'), labels, '`selector` does not match template `labels`'));
    }
  } catch (e) {
    if (!(e instanceof LabelSelectorParseError)) throw e;
  }
  return errs;
}

/** ValidateJobTemplateSpec (CronJob): selectors are always generated, never given. */
export function validateJobTemplateSpec(t: JobTemplateSpec | undefined, path: string): FieldError[] {
  const spec = t?.spec;
  if (!spec) return [fieldErr.required(child(path, 'spec'), '')];
  const errs = validateJobSpecCommon(spec, child(path, 'spec'));
  if (spec.selector) errs.push(fieldErr.invalid(child(path, 'spec', 'selector'), spec.selector, '`selector` will be auto-generated'));
  if (spec.manualSelector) errs.push(fieldErr.notSupported(child(path, 'spec', 'manualSelector'), true, ['nil', 'false']));
  return errs;
}

function isSuspendedUnstarted(job: JobObject, old: JobObject): boolean {
  return !!job.spec?.suspend && !old.status?.startTime;
}

/** ValidateJob, and on update ValidateJobUpdate's immutable fields. */
export function validateJob(job: JobObject, old?: JobObject): FieldError[] {
  const spec = job.spec;
  if (!spec) return [fieldErr.required('spec', '')];
  const errs = [...validateGeneratedSelector(job), ...validateJobSpec(spec, 'spec')];
  if (spec.completionMode === 'Indexed' && (spec.completions ?? 0) > 0) {
    const longest = `${job.metadata.name ?? ''}-${spec.completions! - 1}`;
    if (isDNS1123Label(longest).length > 0) {
      errs.push(fieldErr.invalid('metadata.name', job.metadata.name ?? '', `will not able to create pod with invalid DNS label: ${longest}`));
    }
  }
  if (!old?.spec) return errs;
  const o = old.spec;
  const elastic = spec.completionMode === 'Indexed' && o.completionMode === 'Indexed' && spec.completions === spec.parallelism && o.completions === o.parallelism;
  if (!elastic) errs.push(...validateImmutableField(spec.completions, o.completions, 'spec.completions'));
  errs.push(...validateImmutableField(spec.selector, o.selector, 'spec.selector'));
  let oldTemplate = o.template;
  const template = spec.template;
  if (isSuspendedUnstarted(job, old)) {
    oldTemplate = structuredClone(o.template);
    oldTemplate.metadata ??= {};
    oldTemplate.spec ??= { containers: [] };
    const na = template?.spec?.affinity?.nodeAffinity;
    if (!template?.spec?.affinity && oldTemplate.spec.affinity) {
      delete oldTemplate.spec.affinity.nodeAffinity;
      if (Object.keys(oldTemplate.spec.affinity).length === 0) delete oldTemplate.spec.affinity;
    } else if (template?.spec?.affinity) {
      oldTemplate.spec.affinity = { ...(oldTemplate.spec.affinity ?? {}), nodeAffinity: na };
      if (na === undefined) delete oldTemplate.spec.affinity.nodeAffinity;
    }
    oldTemplate.spec.nodeSelector = template?.spec?.nodeSelector;
    oldTemplate.spec.tolerations = template?.spec?.tolerations;
    oldTemplate.spec.schedulingGates = template?.spec?.schedulingGates;
    oldTemplate.metadata.annotations = template?.metadata?.annotations;
    oldTemplate.metadata.labels = template?.metadata?.labels;
  }
  errs.push(...validateImmutableField(template, oldTemplate, 'spec.template'));
  errs.push(...validateImmutableField(spec.completionMode, o.completionMode, 'spec.completionMode'));
  errs.push(...validateImmutableField(spec.podFailurePolicy, o.podFailurePolicy, 'spec.podFailurePolicy'));
  errs.push(...validateImmutableField(spec.backoffLimitPerIndex, o.backoffLimitPerIndex, 'spec.backoffLimitPerIndex'));
  return errs;
}

export function validateJobStatus(job: JobObject): FieldError[] {
  const st = job.status ?? {};
  const errs: FieldError[] = [];
  for (const f of ['active', 'succeeded', 'failed', 'ready', 'terminating'] as const) errs.push(...validateNonnegative(st[f], child('status', f)));
  return errs;
}

function hasCondition(job: JobObject, type: string): boolean {
  return (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** printJob's STATUS column. */
export function jobStatusCell(job: JobObject): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

/** printJob's COMPLETIONS column: `1/3`, `0/1 of 4` for work queues. */
export function jobCompletionsCell(job: JobObject): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions != null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** printJob's DURATION column: start to completion, or start to now while running. */
export function jobDurationCell(job: JobObject, now: number): string {
  const start = job.status?.startTime ? Date.parse(job.status.startTime) : NaN;
  if (Number.isNaN(start)) return '';
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now;
  return humanDuration(end - start);
}

export const jobs = defineResource<JobObject>({
  group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', scope: 'Namespaced',
  categories: ['all'], schema: 'io.k8s.api.batch.v1.Job',
  subresources: { status: true },
  defaults: defaultJob,
  validate: validateJob,
  validateStatus: validateJobStatus,
  prepareForCreate(job) {
    job.status = {};
    job.metadata.generation = 1;
    generateJobSelector(job);
    // Upstream copies template labels onto an unlabelled Job when it is next decoded.
    const labels = job.spec?.template?.metadata?.labels;
    if (labels && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...labels };
  },
  prepareForUpdate(job, old) {
    job.status = old.status;
    if (!semanticEqual(job.spec, old.spec)) job.metadata.generation = (old.metadata.generation ?? 0) + 1;
  },
  printerColumns: [
    { name: 'Status', type: 'string', description: 'Status of the job.', cell: jobStatusCell },
    { name: 'Completions', type: 'string', description: 'The completion status of the job.', cell: jobCompletionsCell },
    { name: 'Duration', type: 'string', description: 'Time required to complete the job.', cell: jobDurationCell },
    ageColumn<JobObject>(),
    ...templateColumns<JobObject>((j) => j.spec?.template),
    { name: 'Selector', type: 'string', priority: 1, description: 'A label query over pods that should match the pod count.', cell: (j) => formatLabelSelector(j.spec?.selector) },
  ],
  fieldSelectors: { 'status.successful': (j) => String(j.status?.succeeded ?? 0) },
});

