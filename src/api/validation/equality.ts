/**
 * Semantic equality as apimachinery's `equality.Semantic.DeepEqual` sees JSON: an absent field,
 * null, an empty list and an empty map are all "unset" and equal to each other.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isUnset(a) && isUnset(b)) return true;
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => semanticEqual(v, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isUnset(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return false;
}
