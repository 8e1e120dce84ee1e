import type { NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod } from 'kubernetes-types/core/v1.js';

type Labels = Readonly<Record<string, string>>;

function requirementMatches(r: NodeSelectorRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels[r.key]! : '';
  switch (r.operator) {
    case 'In': return has && (r.values ?? []).includes(v);
    case 'NotIn': return !has || !(r.values ?? []).includes(v);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt': case 'Lt': {
      if (!has || (r.values ?? []).length !== 1) return false;
      if (!/^-?\d+$/.test(v) || !/^-?\d+$/.test(r.values![0]!)) return false;
      const a = BigInt(v); const b = BigInt(r.values![0]!);
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default: return false;
  }
}

/** matchFields supports metadata.name with In/NotIn only, as upstream. */
function fieldMatches(r: NodeSelectorRequirement, nodeName: string): boolean {
  if (r.key !== 'metadata.name') return false;
  if (r.operator === 'In') return (r.values ?? []).length === 1 && r.values![0] === nodeName;
  if (r.operator === 'NotIn') return (r.values ?? []).length === 1 && r.values![0] !== nodeName;
  return false;
}

/** A term matches when all its expressions and fields do; an empty term matches nothing. */
export function nodeSelectorTermMatches(t: NodeSelectorTerm, labels: Labels, nodeName: string): boolean {
  const exprs = t.matchExpressions ?? [];
  const fields = t.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  return exprs.every((r) => requirementMatches(r, labels)) && fields.every((r) => fieldMatches(r, nodeName));
}

/** Terms are ORed. */
export function nodeSelectorMatches(s: NodeSelector, labels: Labels, nodeName: string): boolean {
  return s.nodeSelectorTerms.some((t) => nodeSelectorTermMatches(t, labels, nodeName));
}

/** The pod's spec.nodeSelector and required node affinity both hold for the node (GetRequiredNodeAffinity). */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, labels: Labels, nodeName: string): boolean {
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return !req || nodeSelectorMatches(req, labels, nodeName);
}
