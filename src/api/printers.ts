/** Helpers shared by printer columns: Kubernetes' own formatting of ages, lists and selectors. */

/**
 * Age as `kubectl get` prints it (duration.HumanDuration): `45s`, `5m`, `3h12m`, `2d`, `3y45d`.
 * `ts` is an RFC 3339 timestamp; a missing one prints `<unknown>`.
 */
export function age(ts: string | undefined | null, now: number): string {
  if (!ts) return '<unknown>';
  const then = Date.parse(ts);
  if (Number.isNaN(then)) return '<unknown>';
  return humanDuration(now - then);
}

/** Kubernetes' duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(seconds / 3600);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/** `<none>` for empty cells, as kubectl's printers do. */
export function orNone(v: string | undefined | null): string {
  return v ? v : '<none>';
}

/** `a=b,c=d` from a label map (sorted by key), `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  if (!labels || Object.keys(labels).length === 0) return '<none>';
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
}
