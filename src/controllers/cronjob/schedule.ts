import type { CronSchedule } from '../../api/resources/index.js';

/** A wall-clock time in some zone; month 1–12, as robfig/cron reads it. */
interface Wall { year: number; month: number; day: number; hour: number; minute: number; second: number }

function formatter(tz: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-US', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
}

function wallOf(ms: number, fmt: Intl.DateTimeFormat): Wall {
  const parts: Record<string, number> = {};
  for (const p of fmt.formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! % 24, minute: parts.minute!, second: parts.second! };
}

const wallAsUtc = (w: Wall): number => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

/** The zone's offset from UTC at instant `ms` (ms). */
export function zoneOffsetMs(ms: number, tz: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return wallAsUtc(wallOf(whole, formatter(tz))) - whole;
}

/** The instant a wall-clock time in `tz` names (a time skipped by DST moves forward, as Go's time.Date). */
function instantOf(w: Wall, tz: string): number {
  const guess = wallAsUtc(w);
  const t = guess - zoneOffsetMs(guess, tz);
  const off = zoneOffsetMs(t, tz);
  return off === guess - t ? t : guess - off;
}

function normalize(w: Wall): Wall {
  const d = new Date(wallAsUtc(w));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

function dayMatches(s: CronSchedule, w: Wall): boolean {
  const dom = s.dayOfMonth.has(w.day);
  const dow = s.dayOfWeek.has(new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay());
  if (s.domStar || s.dowStar) return dom && dow;
  return dom || dow;
}

/**
 * robfig/cron's SpecSchedule.Next: the first activation strictly after `after` (ms), in the
 * schedule's TZ= zone, else `tz`, else UTC; `@every d` is `after + d` truncated to seconds.
 * Undefined when nothing matches within five years.
 */
export function nextActivation(s: CronSchedule, after: number, tz?: string): number | undefined {
  if (s.everyMs !== undefined) {
    return Math.floor((after + s.everyMs) / 1000) * 1000;
  }
  const zone = s.timeZone ?? tz ?? 'UTC';
  const fmt = formatter(zone);
  // Start at the next whole second, then round up to the minute (the spec's seconds field is 0).
  let w = wallOf(Math.floor(after / 1000) * 1000 + 1000, fmt);
  if (w.second > 0) w = normalize({ ...w, second: 0, minute: w.minute + 1 });
  const limit = w.year + 5;
  while (w.year <= limit) {
    if (!s.month.has(w.month)) { w = normalize({ ...w, month: w.month + 1, day: 1, hour: 0, minute: 0 }); continue; }
    if (!dayMatches(s, w)) { w = normalize({ ...w, day: w.day + 1, hour: 0, minute: 0 }); continue; }
    if (!s.hour.has(w.hour)) { w = normalize({ ...w, hour: w.hour + 1, minute: 0 }); continue; }
    if (!s.minute.has(w.minute)) { w = normalize({ ...w, minute: w.minute + 1 }); continue; }
    const at = instantOf(w, zone);
    if (at > after) return at;
    w = normalize({ ...w, minute: w.minute + 1 });
  }
  return undefined;
}

export interface MissedSchedules {
  /** The latest activation at or before now, if any since `earliest`. */
  mostRecent?: number;
  /** How many activations were missed (upstream counts beyond 100 as "too many"). */
  missed: number;
}

/**
 * mostRecentScheduleTime: the activations between `earliest` (exclusive) and `now`
 * (inclusive). Counting is by the interval between the first two activations, then the tail is
 * walked with Next so irregular schedules (DST, `0 0 1,15 * *`) still land on a real activation.
 */
export function mostRecentSchedule(s: CronSchedule, earliest: number, now: number, tz?: string): MissedSchedules {
  const t1 = nextActivation(s, earliest, tz);
  if (t1 === undefined || t1 > now) return { missed: 0 };
  const t2 = nextActivation(s, t1, tz);
  if (t2 === undefined || t2 > now) return { mostRecent: t1, missed: 1 };
  const interval = Math.max(1000, t2 - t1);
  const missed = Math.floor((now - t1) / interval) + 1;
  let cursor = Math.max(t1, t1 + (missed - 3) * interval);
  let mostRecent = cursor;
  for (let t = nextActivation(s, cursor, tz); t !== undefined && t <= now; t = nextActivation(s, t, tz)) {
    mostRecent = t;
    cursor = t;
  }
  return { mostRecent, missed };
}

/** Go's time.Format(RFC3339) of `ms` in `tz`: `2025-01-01T09:00:00+09:00`, `Z` for UTC. */
export function rfc3339In(ms: number, tz?: string): string {
  const zone = tz ?? 'UTC';
  const off = zoneOffsetMs(ms, zone);
  const wall = new Date(Math.floor(ms / 1000) * 1000 + off).toISOString().replace(/\.\d{3}Z$/, '');
  if (off === 0) return `${wall}Z`;
  const sign = off < 0 ? '-' : '+';
  const mins = Math.abs(off) / 60000;
  return `${wall}${sign}${String(Math.floor(mins / 60)).padStart(2, '0')}:${String(mins % 60).padStart(2, '0')}`;
}
