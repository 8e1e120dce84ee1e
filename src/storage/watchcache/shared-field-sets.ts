import { GenerationalMap } from '../../base/generational-map.js';

/**
 * One copy of each distinct `metadata.managedFields[].fieldsV1` tree, and of each distinct
 * subtree of those, among the watch cache's objects.
 *
 * fieldsV1 trees are most of a typical object's decoded size (a Running pod: ~4.7 KB of its
 * ~9 KB), and they are nearly the same for every object one client made from one template: what
 * differs between two pods of a ReplicaSet is a branch or two (the service-account volume's name,
 * the pod IP) while `f:containers`, `f:conditions`, the tolerations and thousands of `{}` leaves
 * are equal. Cached objects are read-only (shared by every watcher and informer), so equal
 * subtrees can be one object: a tree found whole is replaced by the shared one; otherwise its
 * branches are (to `maxDepth` levels), and what stays distinct is the path down to what differs.
 * The shared trees are frozen, so a writer breaking the read-only rule fails loudly instead of
 * changing the fields of other objects.
 *
 * Trees are keyed by their JSON text in two generations (GenerationalMap): shapes still in use
 * stay while shapes met once (a pod's own volume name) leave after two generations. The table never
 * holds more than 2 × `generationSize` keys; a shape dropped from it stays shared by the objects
 * that already have it.
 *
 * Cost per decoded version: one JSON.stringify of each fieldsV1 (a hit), plus one per level down
 * a branch that is new. Frozen trees are taken as shared already: the field manager's encodings
 * are hash-consed (FieldSet.toFieldsV1), so what a write just computed costs nothing here; this
 * table is for trees parsed from storage (a restart, a relist, etcd) or sent by clients.
 */
export class SharedFieldSets {
  readonly #trees: GenerationalMap<string, Tree>;

  constructor(generationSize = 8192, private readonly maxDepth = 4) {
    this.#trees = new GenerationalMap(generationSize);
  }

  /** Keys in the table (both generations). */
  get size(): number { return this.#trees.size; }

  /** Replaces the fieldsV1 trees of `object` (and their branches) by shared equal ones. */
  share(object: unknown): void {
    const entries = (object as { metadata?: { managedFields?: unknown } } | null)?.metadata?.managedFields;
    if (!Array.isArray(entries)) return;
    for (const entry of entries as unknown[]) {
      if (entry === null || typeof entry !== 'object' || Object.isFrozen(entry)) continue;
      const e = entry as { fieldsV1?: unknown };
      if (isTree(e.fieldsV1)) e.fieldsV1 = this.#share(e.fieldsV1, 0);
    }
  }

  #share(tree: Tree, depth: number): Tree {
    // Frozen: shared already (an encoding the field manager hash-consed, or a tree from here).
    if (Object.isFrozen(tree)) return tree;
    if (isEmpty(tree)) return empty;
    const text = JSON.stringify(tree);
    const known = this.#trees.get(text);
    if (known) return known;
    for (const key in tree) {
      const child = tree[key];
      if (isTree(child)) tree[key] = depth < this.maxDepth ? this.#share(child, depth + 1) : freezeLeaves(child);
    }
    Object.freeze(tree);
    this.#trees.set(text, tree);
    return tree;
  }
}

type Tree = Record<string, unknown>;

/** The one `{}` every leaf of every shared tree is. */
const empty: Tree = Object.freeze({});

function isTree(v: unknown): v is Tree {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isEmpty(tree: Tree): boolean {
  for (const _ in tree) return false;
  return true;
}

/** Freezes a branch below the sharing depth, making its `{}` leaves the shared one. */
function freezeLeaves(tree: Tree): Tree {
  if (isEmpty(tree)) return empty;
  if (Object.isFrozen(tree)) return tree;
  for (const key in tree) {
    const child = tree[key];
    if (isTree(child)) tree[key] = freezeLeaves(child);
  }
  return Object.freeze(tree);
}
