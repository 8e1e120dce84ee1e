import type { FieldError } from './types.js';
import { fieldErr } from './errors.js';

/**
 * resource.Quantity (k8s.io/apimachinery/pkg/api/resource): `100m`, `1.5Gi`, `2e3`, `500M`.
 * Held exactly as a count of nano-units; serialized in Kubernetes' canonical form.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The amount times 10^9, exact (inputs finer than 1n round up, away from zero). */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

export const quantityRegexp = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const errQuantityFormat = `quantities must match the regular expression '${quantityRegexp}'`;
export const errQuantityNumeric = 'unable to parse numeric part of quantity';
export const errQuantitySuffix = "unable to parse quantity's suffix";

export class QuantityParseError extends Error {
  constructor(message: string) { super(message); this.name = 'QuantityParseError'; }
}

const NANO = 1_000_000_000n;
const maxBinary = (2n ** 63n - 1n) * NANO;

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalByExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binaryByExponent = new Map(Object.entries(binarySuffixes).map(([s, e]) => [e, s]));

interface Parts { positive: boolean; num: string; denom: string; suffix: string }

/** parseQuantityString: sign, integer digits, fraction digits, suffix. */
function splitQuantity(str: string): Parts {
  let pos = 0;
  let positive = true;
  if (str[0] === '-') { positive = false; pos++; } else if (str[0] === '+') pos++;
  while (pos < str.length && str[pos] === '0') pos++;
  let i = pos;
  while (i < str.length && str[i]! >= '0' && str[i]! <= '9') i++;
  const num = str.slice(pos, i) || '0';
  pos = i;
  let denom = '';
  if (pos < str.length && str[pos] === '.') {
    pos++;
    i = pos;
    while (i < str.length && str[i]! >= '0' && str[i]! <= '9') i++;
    denom = str.slice(pos, i);
    pos = i;
  }
  const suffixStart = pos;
  i = pos;
  while (i < str.length && 'eEinumkKMGTP'.includes(str[i]!)) i++;
  if (i < str.length && (str[i] === '-' || str[i] === '+')) i++;
  while (i < str.length && str[i]! >= '0' && str[i]! <= '9') i++;
  if (i < str.length) throw new QuantityParseError(errQuantityFormat);
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } {
  if (suffix in decimalSuffixes) return { base: 10, exponent: decimalSuffixes[suffix]!, format: 'DecimalSI' };
  if (suffix in binarySuffixes) return { base: 2, exponent: binarySuffixes[suffix]!, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?\d+$/.test(suffix.slice(1))) {
    return { base: 10, exponent: Number(suffix.slice(1)), format: 'DecimalExponent' };
  }
  throw new QuantityParseError(errQuantitySuffix);
}

/** Divides rounding away from zero (inf.RoundUp). */
function divRoundUp(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d === 0n ? q : q + (n < 0n ? -1n : 1n);
}

/** ParseQuantity. Accepts a JSON number too (kubectl sends `cpu: 1` as 1). Throws QuantityParseError. */
export function parseQuantity(input: string | number): Quantity {
  const str = typeof input === 'number' ? String(input) : input;
  if (str.length === 0) throw new QuantityParseError(errQuantityFormat);
  if (/^[+-]?\.?$/.test(str) || /^[+-]?\.[^0-9]/.test(str)) throw new QuantityParseError(errQuantityNumeric);
  const { positive, num, denom, suffix } = splitQuantity(str);
  const { base, exponent, format: parsedFormat } = interpretSuffix(suffix);
  let format = parsedFormat;
  // amount = digits × 10^-len(denom) × (base^exponent); in nanos: × 10^9.
  let digits = BigInt(num + denom);
  let pow10 = 9 - denom.length;
  if (base === 10) pow10 += exponent;
  else digits *= 2n ** BigInt(exponent);
  let nanos = pow10 >= 0 ? digits * 10n ** BigInt(pow10) : divRoundUp(digits, 10n ** BigInt(-pow10));
  if (format === 'BinarySI' && nanos > maxBinary) nanos = maxBinary;
  if (format === 'BinarySI' && nanos > 0n && nanos < NANO) format = 'DecimalSI';
  return { nanos: positive ? nanos : -nanos, format };
}

/** The canonical string (Quantity.String()): `1500m`, `2k`, `1Gi`, `1536Mi`, `1e3`, `0`. */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const whole = q.nanos % NANO === 0n;
    if ((q.nanos > -1024n * NANO && q.nanos < 1024n * NANO) || !whole) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    let value = q.nanos / NANO;
    let exp = 0;
    while (value % 1024n === 0n && exp < 60) { value /= 1024n; exp += 10; }
    return `${value}${binaryByExponent.get(exp) ?? ''}`;
  }
  let mantissa = q.nanos;
  let exponent = -9;
  while (mantissa % 10n === 0n) { mantissa /= 10n; exponent++; }
  while (((exponent % 3) + 3) % 3 !== 0) { mantissa *= 10n; exponent--; }
  if (format === 'DecimalExponent') return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  while (exponent > 18) { mantissa *= 1000n; exponent -= 3; }
  return `${mantissa}${decimalByExponent.get(exponent) ?? ''}`;
}

/** Parse then print canonically: what the apiserver stores for a quantity field. */
export function canonicalQuantity(input: string | number): string {
  return formatQuantity(parseQuantity(input));
}

export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n && a.format === 'DecimalSI' ? b.format : a.format };
}

export function subtractQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos - b.nanos, format: a.format };
}

export function negateQuantity(q: Quantity): Quantity {
  return { nanos: -q.nanos, format: q.format };
}

/** Quantity.Value(): whole units, rounded up away from zero. */
export function quantityValue(q: Quantity): number {
  return Number(divRoundUp(q.nanos, NANO));
}

/** Quantity.MilliValue(): milli-units, rounded up away from zero. */
export function quantityMilliValue(q: Quantity): number {
  return Number(divRoundUp(q.nanos, 1_000_000n));
}

/** resource.NewQuantity(value, format). */
export function newQuantity(value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nanos: BigInt(value) * NANO, format };
}

/** resource.NewMilliQuantity(milli, format). */
export function newMilliQuantity(milli: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nanos: BigInt(milli) * 1_000_000n, format };
}

export const zeroQuantity: Quantity = { nanos: 0n, format: 'DecimalSI' };

/** Parses, or returns the upstream message. */
export function tryParseQuantity(input: unknown): Quantity | string {
  if (typeof input !== 'string' && typeof input !== 'number') return errQuantityFormat;
  try {
    return parseQuantity(input);
  } catch (e) {
    if (e instanceof QuantityParseError) return e.message;
    throw e;
  }
}

/** A quantity field: must parse, and (ValidateNonnegativeQuantity) be ≥ 0 unless allowNegative. */
export function validateQuantity(value: unknown, path: string, allowNegative = false): FieldError[] {
  const q = tryParseQuantity(value);
  if (typeof q === 'string') return [fieldErr.invalid(path, value, q)];
  if (!allowNegative && q.nanos < 0n) return [fieldErr.invalid(path, formatQuantity(q), 'must be greater than or equal to 0')];
  return [];
}

/** Rewrites every quantity of a resource map to canonical form (as a round trip through Go does). */
export function canonicalizeResourceList(list: Record<string, string | number> | undefined): void {
  if (!list) return;
  for (const [k, v] of Object.entries(list)) {
    const q = tryParseQuantity(v);
    if (typeof q !== 'string') list[k] = formatQuantity(q);
  }
}
