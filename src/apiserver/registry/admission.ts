import type { ResourceDefinition } from '../../api/resource.js';
import type { KubeObject } from '../../api/types.js';
import type { RequestContext } from '../context.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** What one write is about, as admission plugins see it. */
export interface AdmissionAttributes {
  operation: Operation;
  def: ResourceDefinition;
  subresource?: string;
  namespace: string;
  name: string;
  /** The object being written (mutable in `admit`); absent for DELETE. */
  object?: KubeObject;
  old?: KubeObject;
  ctx: RequestContext;
}

/**
 * An admission plugin: `admit` may mutate the object (defaults that need cluster state, like
 * ClusterIP allocation), `validate` only rejects by throwing a StatusError. `settled` runs after
 * the write was attempted (`ok` false when it failed or was a dry run) so that plugins holding
 * resources (allocated IPs and ports) can release them.
 */
export interface AdmissionPlugin {
  readonly name: string;
  admit?(a: AdmissionAttributes): Promise<void>;
  validate?(a: AdmissionAttributes): Promise<void>;
  settled?(a: AdmissionAttributes, ok: boolean): Promise<void>;
}

/** Runs plugins in order: all `admit`s, then all `validate`s. */
export class AdmissionChain {
  constructor(private readonly plugins: readonly AdmissionPlugin[]) {}

  async admit(a: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.admit) await p.admit(a);
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    for (const p of this.plugins) if (p.validate) await p.validate(a);
  }

  async settled(a: AdmissionAttributes, ok: boolean): Promise<void> {
    for (const p of this.plugins) if (p.settled) await p.settled(a, ok);
  }
}
