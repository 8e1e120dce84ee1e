/** One line of the benchmark table. */
export interface BenchRow {
  /** What was measured, e.g. 'apiserver create (sqlite)'. */
  name: string;
  metric: string;
  value: number;
  unit: string;
  /** The goal as text, e.g. '< 5 ms'; empty when there is none. */
  goal?: string;
}

/** A benchmark module's default export. */
export type Bench = (opts: { quick: boolean }) => Promise<BenchRow[]>;

/** p-th percentile (0..100) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
