import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodInfo } from './node-info.js';
import type { FilterPlugin } from './types.js';
import { newPodInfo } from './node-info.js';

/** A typed slot in CycleState, keyed by the plugin that owns it. */
export interface StateKey<T> {
  readonly name: string;
  /** Phantom: carries T. */
  readonly _type?: T;
}

export function stateKey<T>(name: string): StateKey<T> {
  return { name };
}

/**
 * Per-pod, per-cycle data: a PreFilter/PreScore writes its slot once, Filter/Score read it.
 * Preemption clones it before editing (values with a `clone()` method are cloned).
 */
export class CycleState {
  /** Slot names and values side by side: a cycle has a handful, found faster by a scan than by hashing. */
  readonly #names: string[] = [];
  readonly #values: unknown[] = [];
  /** Plugins whose Score is skipped this cycle (PreScore returned Skip). */
  readonly skipScore = new Set<string>();
  /** Plugins whose Filter is skipped this cycle (PreFilter returned Skip). */
  readonly skipFilter = new Set<string>();
  /** The Filter plugins that run this cycle (the profile's minus skipFilter), set by the framework's first runFilters. */
  filters: readonly FilterPlugin[] | undefined;
  #podInfo: PodInfo | undefined;

  /** The PodInfo of the pod this cycle schedules, parsed once and shared by the plugins. */
  podInfo(pod: Pod): PodInfo {
    let p = this.#podInfo;
    if (p?.pod !== pod) this.#podInfo = p = newPodInfo(pod);
    return p;
  }

  write<T>(key: StateKey<T>, value: T): void {
    const i = this.#names.indexOf(key.name);
    if (i >= 0) this.#values[i] = value;
    else { this.#names.push(key.name); this.#values.push(value); }
  }

  read<T>(key: StateKey<T>): T {
    const names = this.#names;
    const name = key.name;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return this.#values[i] as T;
    throw new Error(`cycle state has no ${name}: its PreFilter/PreScore did not run`);
  }

  tryRead<T>(key: StateKey<T>): T | undefined {
    const i = this.#names.indexOf(key.name);
    return i >= 0 ? this.#values[i] as T : undefined;
  }

  clone(): CycleState {
    const c = new CycleState();
    for (let i = 0; i < this.#names.length; i++) {
      const v = this.#values[i];
      const cloneable = v as { clone?: () => unknown } | null;
      c.#names.push(this.#names[i]!);
      c.#values.push(cloneable && typeof cloneable === 'object' && typeof cloneable.clone === 'function' ? cloneable.clone() : v);
    }
    for (const s of this.skipScore) c.skipScore.add(s);
    for (const s of this.skipFilter) c.skipFilter.add(s);
    c.#podInfo = this.#podInfo;
    return c;
  }
}
