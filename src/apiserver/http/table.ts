import type { PrinterColumn, ResourceDefinition } from '../../api/resource.js';
import type { KubeObject, ListMeta } from '../../api/types.js';
import { rfc3339 } from '../../base/clock.js';

export type IncludeObject = 'None' | 'Object' | 'Metadata';

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: ListMeta;
  columnDefinitions: { name: string; type: string; format: string; description: string; priority: number }[];
  rows: { cells: unknown[]; object?: unknown }[];
}

const nameColumn = {
  name: 'Name', type: 'string', format: 'name', priority: 0,
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
};

/** Columns for types without a printer: Name and Created At, as kube's default table convertor. */
const defaultColumns: readonly PrinterColumn[] = [{
  name: 'Created At', type: 'date',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  cell: (o) => o.metadata.creationTimestamp ?? rfc3339(0),
}];

/** `kubectl get` output: a Table with the resource's printer columns. */
export function toTable(def: ResourceDefinition, items: readonly KubeObject[], meta: ListMeta, opts: {
  now: number; includeObject: IncludeObject; metaVersion: 'v1' | 'v1beta1'; withHeaders?: boolean;
}): Table {
  const columns = def.printerColumns ?? defaultColumns;
  // Some upstream printers (core Events) place Name themselves; then it is not implied first.
  const explicitName = columns.some((c) => c.name === 'Name');
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.metaVersion}`,
    metadata: meta,
    columnDefinitions: opts.withHeaders === false ? [] : [...(explicitName ? [] : [nameColumn]), ...columns.map((c) => ({
      name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0,
    }))],
    rows: items.map((o) => {
      const cells = columns.map((c) => cellValue(c, o, opts.now));
      const row: Table['rows'][number] = { cells: explicitName ? cells : [o.metadata.name ?? '', ...cells] };
      if (opts.includeObject === 'Object') row.object = o;
      else if (opts.includeObject === 'Metadata') row.object = partialObjectMetadata(o, opts.metaVersion);
      return row;
    }),
  };
}

function cellValue(c: PrinterColumn, o: KubeObject, now: number): unknown {
  try {
    const v = c.cell(o, now);
    return v === undefined || v === null ? '' : v;
  } catch {
    // A printer must not fail a whole list over one odd object; kube prints an empty cell.
    return '';
  }
}

export function partialObjectMetadata(o: KubeObject, metaVersion: 'v1' | 'v1beta1' = 'v1'): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${metaVersion}`, metadata: o.metadata };
}
