/**
 * How Go's encoding/json spells the Kubernetes value types whose protobuf form differs from their JSON
 * form: metav1.Time (RFC 3339, whole seconds), metav1.MicroTime (RFC 3339 with microseconds) and
 * metav1.Duration (time.Duration.String()).
 */

/** Unix seconds of Go's zero time.Time (0001-01-01T00:00:00Z), which marshals to JSON null. */
const goZeroTimeSeconds = -62135596800n;

function isoSeconds(seconds: bigint): string {
  const ms = Number(seconds) * 1000;
  const iso = new Date(ms).toISOString(); // 2024-05-06T07:08:09.000Z
  if (!/^\d{4}-/.test(iso)) throw new RangeError(`time ${seconds}s is outside the years 0000–9999`);
  return iso.slice(0, 19);
}

/** metav1.Time → `2024-05-06T07:08:09Z`; the zero time → null. Nanoseconds are dropped, as upstream does. */
export function formatTime(seconds: bigint): string | null {
  if (seconds === goZeroTimeSeconds) return null;
  return `${isoSeconds(seconds)}Z`;
}

/** metav1.MicroTime → `2024-05-06T07:08:09.123456Z` (nanoseconds truncated to microseconds); zero → null. */
export function formatMicroTime(seconds: bigint, nanos: number): string | null {
  if (seconds === goZeroTimeSeconds && nanos === 0) return null;
  const micros = Math.floor(nanos / 1000);
  return `${isoSeconds(seconds)}.${String(micros).padStart(6, '0')}Z`;
}

/** `1.500` → `1.5`, `2.000` → `2`: Go prints fractions without trailing zeros. */
function withFraction(whole: bigint, fraction: bigint, digits: number): string {
  if (fraction === 0n) return whole.toString();
  const text = fraction.toString().padStart(digits, '0').replace(/0+$/, '');
  return `${whole}.${text}`;
}

/** time.Duration.String(): `0s`, `250ms`, `1.5µs`, `90ns`, `1m30s`, `1h0m0s`, `-2.5s`. */
export function formatDuration(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return '0s';
  const sign = nanoseconds < 0n ? '-' : '';
  const ns = nanoseconds < 0n ? -nanoseconds : nanoseconds;
  if (ns < 1_000n) return `${sign}${ns}ns`;
  if (ns < 1_000_000n) return `${sign}${withFraction(ns / 1_000n, ns % 1_000n, 3)}µs`;
  if (ns < 1_000_000_000n) return `${sign}${withFraction(ns / 1_000_000n, ns % 1_000_000n, 6)}ms`;
  const totalSeconds = ns / 1_000_000_000n;
  const seconds = withFraction(totalSeconds % 60n, ns % 1_000_000_000n, 9);
  const minutes = (totalSeconds / 60n) % 60n;
  const hours = totalSeconds / 3600n;
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}
