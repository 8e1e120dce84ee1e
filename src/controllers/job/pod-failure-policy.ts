import type { PodFailurePolicy, PodFailurePolicyRule } from 'kubernetes-types/batch/v1.js';
import type { PodObject } from '../../api/resources/index.js';

export type PodFailurePolicyAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface PodFailurePolicyMatch {
  /** The FailureTarget message when the action is FailJob. */
  message?: string;
  /** Whether the failure counts toward backoffLimit. */
  countFailed: boolean;
  /** The matched rule's action; undefined when no rule matched. */
  action?: PodFailurePolicyAction;
}

function exitCodeMatch(rule: PodFailurePolicyRule, pod: PodObject): { container: string; code: number } | undefined {
  const req = rule.onExitCodes;
  if (!req) return undefined;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const s of statuses) {
    if (req.containerName && req.containerName !== s.name) continue;
    const code = s.state?.terminated?.exitCode;
    if (code === undefined || code === 0) continue;
    const listed = req.values.includes(code);
    if (req.operator === 'In' ? listed : req.operator === 'NotIn' ? !listed : false) return { container: s.name, code };
  }
  return undefined;
}

function conditionMatch(rule: PodFailurePolicyRule, pod: PodObject): string | undefined {
  for (const pattern of rule.onPodConditions ?? []) {
    const c = pod.status?.conditions?.find((x) => x.type === pattern.type);
    if (c && c.status === (pattern.status || 'True')) return pattern.type;
  }
  return undefined;
}

/** matchPodFailurePolicy: the first rule a failed pod matches decides (messages as upstream). */
export function matchPodFailurePolicy(policy: PodFailurePolicy | undefined, pod: PodObject): PodFailurePolicyMatch {
  const ns = pod.metadata.namespace ?? '';
  const name = pod.metadata.name ?? '';
  for (const [i, rule] of (policy?.rules ?? []).entries()) {
    const action = rule.action as PodFailurePolicyAction;
    let detail: string | undefined;
    const exit = exitCodeMatch(rule, pod);
    if (exit) detail = `Container ${exit.container} for pod ${ns}/${name} failed with exit code ${exit.code} matching ${action} rule at index ${i}`;
    else {
      const cond = conditionMatch(rule, pod);
      if (cond) detail = `Pod ${ns}/${name} has condition ${cond} matching ${action} rule at index ${i}`;
    }
    if (detail === undefined) continue;
    switch (action) {
      case 'Ignore': return { countFailed: false, action };
      case 'Count': return { countFailed: true, action };
      case 'FailIndex': return { countFailed: true, action };
      case 'FailJob': return { countFailed: true, action, message: detail };
      default: continue;
    }
  }
  return { countFailed: true };
}
