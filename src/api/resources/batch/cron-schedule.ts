/**
 * Cron schedules as robfig/cron v3's ParseStandard reads them (what the CronJob validation and
 * controller use): five fields or a descriptor, optional TZ=/CRON_TZ= prefix. Error texts match.
 */

export interface CronSchedule {
  minute: Set<number>;
  hour: Set<number>;
  dayOfMonth: Set<number>;
  month: Set<number>;
  dayOfWeek: Set<number>;
  /** Either day field was `*` or `?` (robfig's starBit): then only the other one restricts. */
  domStar: boolean;
  dowStar: boolean;
  /** From a TZ=/CRON_TZ= prefix. */
  timeZone?: string;
  /** `@every <duration>`, in milliseconds. */
  everyMs?: number;
}

interface Bounds { min: number; max: number; names?: Record<string, number> }

const minutes: Bounds = { min: 0, max: 59 };
const hours: Bounds = { min: 0, max: 23 };
const dom: Bounds = { min: 1, max: 31 };
const months: Bounds = { min: 1, max: 12, names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 } };
const dow: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

export class CronParseError extends Error {
  constructor(message: string) { super(message); this.name = 'CronParseError'; }
}

function mustParseInt(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) throw new CronParseError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number.parseInt(expr, 10);
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, names?: Record<string, number>): number {
  const named = names?.[expr.toLowerCase()];
  return named ?? mustParseInt(expr);
}

function getRange(expr: string, b: Bounds, out: Set<number>): boolean {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min; end = b.max; star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0]!, b.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, b.names);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]!);
    if (singleDigit) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronParseError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new CronParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  for (let i = start; i <= end; i += step) out.add(i);
  return star;
}

function getField(field: string, b: Bounds): { set: Set<number>; star: boolean } {
  const set = new Set<number>();
  let star = false;
  for (const expr of field.split(',')) star = getRange(expr, b, set) || star;
  return { set, star };
}

function every(set: Bounds): Set<number> {
  const s = new Set<number>();
  for (let i = set.min; i <= set.max; i++) s.add(i);
  return s;
}

/** Go duration (`1h30m`, `90s`) to milliseconds. */
function parseGoDuration(text: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  const re = /(\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  if (text === '0') return 0;
  for (let m = re.exec(text); m; m = re.exec(text)) { total += Number(m[1]) * units[m[2]!]!; pos = re.lastIndex; }
  if (pos !== text.length || text.length === 0) throw new CronParseError(`failed to parse duration ${text}: time: invalid duration ${JSON.stringify(text)}`);
  return total;
}

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** cron.ParseStandard. Throws CronParseError with robfig/cron's message. */
export function parseCronSchedule(spec: string): CronSchedule {
  if (spec.length === 0) throw new CronParseError('empty spec string');
  let timeZone: string | undefined;
  let rest = spec;
  if (rest.startsWith('TZ=') || rest.startsWith('CRON_TZ=')) {
    const i = rest.indexOf(' ');
    const eq = rest.indexOf('=');
    timeZone = rest.slice(eq + 1, i < 0 ? undefined : i);
    if (!isValidTimeZone(timeZone)) throw new CronParseError(`provided bad location ${timeZone}: unknown time zone ${timeZone}`);
    rest = i < 0 ? '' : rest.slice(i).trim();
  }
  if (rest.startsWith('@')) {
    const all = { minute: every(minutes), hour: every(hours), dayOfMonth: every(dom), month: every(months), dayOfWeek: every(dow) };
    const at = (m: number[], h: number[], d: number[] | null, mo: number[] | null, w: number[] | null): CronSchedule => ({
      minute: new Set(m), hour: new Set(h), dayOfMonth: d ? new Set(d) : all.dayOfMonth, month: mo ? new Set(mo) : all.month,
      dayOfWeek: w ? new Set(w) : all.dayOfWeek, domStar: !d, dowStar: !w, ...(timeZone ? { timeZone } : {}),
    });
    switch (rest) {
      case '@yearly': case '@annually': return at([0], [0], [1], [1], null);
      case '@monthly': return at([0], [0], [1], null, null);
      case '@weekly': return at([0], [0], null, null, [0]);
      case '@daily': case '@midnight': return at([0], [0], null, null, null);
      case '@hourly': return { ...at([0], [], null, null, null), hour: all.hour };
      default:
        if (rest.startsWith('@every ')) {
          const ms = parseGoDuration(rest.slice('@every '.length));
          return { ...at([], [], null, null, null), everyMs: Math.max(ms, 1000) };
        }
        throw new CronParseError(`unrecognized descriptor: ${rest}`);
    }
  }
  const fields = rest.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const [mi, h, d, mo, w] = fields as [string, string, string, string, string];
  const dayOfMonth = getField(d, dom);
  const dayOfWeek = getField(w, dow);
  return {
    minute: getField(mi, minutes).set, hour: getField(h, hours).set, month: getField(mo, months).set,
    dayOfMonth: dayOfMonth.set, dayOfWeek: dayOfWeek.set, domStar: dayOfMonth.star, dowStar: dayOfWeek.star,
    ...(timeZone ? { timeZone } : {}),
  };
}

/** The message of a schedule that does not parse, or undefined. */
export function cronScheduleError(spec: string): string | undefined {
  try {
    parseCronSchedule(spec);
    return undefined;
  } catch (e) {
    if (e instanceof CronParseError) return e.message;
    throw e;
  }
}

/** time.LoadLocation's verdict on a zone name: undefined when known. */
export function timeZoneError(tz: string): string | undefined {
  return isValidTimeZone(tz) ? undefined : `unknown time zone ${tz}`;
}
