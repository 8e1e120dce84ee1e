import type { CustomResourceDefinition, CustomResourceDefinitionVersion } from 'kubernetes-types/apiextensions/v1.js';
import type { PrinterColumn, ResourceDefinition } from '../../api/resource.js';
import { defineResource } from '../../api/resource.js';
import type { FieldError, KubeObject } from '../../api/types.js';
import { fieldsOf } from '../../api/types.js';
import { compileJsonPath, evaluateJsonPath } from '../../api/jsonpath.js';
import { age } from '../../api/printers.js';
import type { Schema } from '../../api/openapi/schema.js';

/** Structural-schema operations on custom resources (src/api/openapi provides them). */
export interface CustomSchemaOps {
  validate(schema: Schema, obj: unknown): FieldError[];
  /** Drops fields the schema does not know; returns their paths. */
  prune(schema: Schema, obj: unknown): string[];
  applyDefaults(schema: Schema, obj: unknown): void;
}

/** The storage version: the one version with `storage: true`. */
export function storageVersionOf(crd: CustomResourceDefinition): string {
  return crd.spec.versions.find((v) => v.storage)?.name ?? crd.spec.versions[0]!.name;
}

/**
 * One ResourceDefinition per served version of a CRD. Versions share storage (conversion
 * strategy None: only apiVersion changes); SMP is refused (no `schema`), as upstream does.
 */
export function crdResourceDefinitions(crd: CustomResourceDefinition, ops: CustomSchemaOps): ResourceDefinition[] {
  const { group, names, scope } = crd.spec;
  const storageVersion = storageVersionOf(crd);
  return crd.spec.versions.filter((v) => v.served).map((v) => {
    const schema = v.schema?.openAPIV3Schema as Schema | undefined;
    const hasStatus = v.subresources?.status !== undefined;
    const scale = v.subresources?.scale;
    const fieldSelectors: Record<string, (o: KubeObject) => string | undefined> = {};
    for (const f of v.selectableFields ?? []) {
      const path = compileJsonPath(f.jsonPath);
      fieldSelectors[f.jsonPath.replace(/^\./, '')] = (o) => {
        const found = evaluateJsonPath(path, o)[0];
        return found === undefined || found === null ? '' : String(found);
      };
    }
    return defineResource<KubeObject>({
      group, version: v.name, kind: names.kind, plural: names.plural, scope: scope as 'Namespaced' | 'Cluster',
      singular: names.singular ?? names.kind.toLowerCase(),
      listKind: names.listKind ?? `${names.kind}List`,
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      subresources: {
        status: hasStatus,
        scale: scale ? { specReplicasPath: scale.specReplicasPath, statusReplicasPath: scale.statusReplicasPath, labelSelectorPath: scale.labelSelectorPath } : undefined,
      },
      storage: { group, resource: names.plural, version: storageVersion },
      customSchema: schema,
      fieldSelectors,
      defaults(obj) {
        if (!schema) return;
        ops.prune(schema, obj);
        ops.applyDefaults(schema, obj);
      },
      validate(obj) {
        return schema ? ops.validate(schema, obj) : [];
      },
      validateStatus(obj) {
        return schema ? ops.validate(schema, obj).filter((e) => e.field === 'status' || e.field.startsWith('status.')) : [];
      },
      prepareForCreate(obj) {
        obj.metadata.generation = 1;
        if (hasStatus) delete fieldsOf(obj).status;
      },
      prepareForUpdate(obj, old) {
        if (hasStatus) {
          const st = fieldsOf(old).status;
          if (st === undefined) delete fieldsOf(obj).status; else fieldsOf(obj).status = st;
        }
        if (specChanged(obj, old, hasStatus)) obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
      },
      printerColumns: printerColumns(v),
    });
  });
}

function specChanged(a: KubeObject, b: KubeObject, ignoreStatus: boolean): boolean {
  const strip = (o: KubeObject) => {
    const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = fieldsOf(o);
    return ignoreStatus ? rest : { ...rest, status: _s };
  };
  return JSON.stringify(strip(a)) !== JSON.stringify(strip(b));
}

/** additionalPrinterColumns as cells; without any, the single Age column upstream shows. */
function printerColumns(v: CustomResourceDefinitionVersion): PrinterColumn<KubeObject>[] {
  const cols = v.additionalPrinterColumns ?? [];
  if (cols.length === 0) {
    return [{ name: 'Age', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', cell: (o, now) => age(o.metadata.creationTimestamp, now) }];
  }
  return cols.map((c) => {
    const path = compileJsonPath(c.jsonPath);
    return {
      name: c.name,
      type: c.type as PrinterColumn['type'],
      format: c.format,
      description: c.description,
      priority: c.priority ?? 0,
      cell(o: KubeObject, now: number) {
        const found = evaluateJsonPath(path, o);
        if (found.length === 0 || found[0] === undefined || found[0] === null) return null;
        if (c.type === 'date') return typeof found[0] === 'string' ? age(found[0], now) : null;
        if (found.length === 1) {
          const x = found[0];
          return typeof x === 'object' ? JSON.stringify(x) : x;
        }
        return found.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(' ');
      },
    };
  });
}
