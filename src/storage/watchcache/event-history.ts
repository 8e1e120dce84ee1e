/**
 * The recent events of a watch cache, oldest first, bounded by count. It covers the revisions
 * after `startRevision`: a watcher resuming from any revision >= startRevision finds every later
 * event here.
 */
export interface Revisioned { readonly revision: number }

export class EventHistory<E extends Revisioned> {
  #events: E[] = [];
  #head = 0;
  #start: number;

  constructor(readonly capacity: number, startRevision: number) {
    if (capacity < 1) throw new Error('event history capacity must be at least 1');
    this.#start = startRevision;
  }

  /** Resumes from revisions >= this one are served; older ones are gone. */
  get startRevision(): number { return this.#start; }

  get length(): number { return this.#events.length - this.#head; }

  push(event: E): void {
    this.#events.push(event);
    if (this.length > this.capacity) {
      this.#start = this.#events[this.#head]!.revision;
      this.#events[this.#head] = undefined as unknown as E;   // let the old object go now
      this.#head++;
      if (this.#head >= this.capacity) {
        this.#events = this.#events.slice(this.#head);
        this.#head = 0;
      }
    }
  }

  /** Forgets every event: resumes are served from `revision` on. */
  reset(revision: number): void {
    this.#events = [];
    this.#head = 0;
    this.#start = revision;
  }

  /** Events with revision > `from` that `match`. The caller checks `from >= startRevision`. */
  after(from: number, match: (e: E) => boolean): E[] {
    let lo = this.#head;
    let hi = this.#events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#events[mid]!.revision <= from) lo = mid + 1;
      else hi = mid;
    }
    const out: E[] = [];
    for (let i = lo; i < this.#events.length; i++) {
      const e = this.#events[i]!;
      if (match(e)) out.push(e);
    }
    return out;
  }
}
