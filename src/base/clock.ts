/** Time comes from a Clock so that tests can control it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand. */
export class FakeClock implements Clock {
  #now: number;
  constructor(start = Date.parse('2025-01-01T00:00:00Z')) { this.#now = start; }
  now(): number { return this.#now; }
  advance(ms: number): void { this.#now += ms; }
  set(ms: number): void { this.#now = ms; }
}

/** RFC 3339 with seconds precision, as Kubernetes writes metav1.Time. */
export function rfc3339(ms: number): string {
  // Every write stamps the time; within a second it is the same text.
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastText = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
  }
  return lastText;
}
let lastSecond = NaN;
let lastText = '';

/** RFC 3339 with microseconds, as Kubernetes writes metav1.MicroTime (Leases, events.k8s.io). */
export function rfc3339Micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
