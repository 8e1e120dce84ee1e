import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SharedFieldSets } from './shared-field-sets.js';

/** A full GC, with or without --expose-gc. */
function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const pod = (name: string, fields: object, manager = 'kubectl') => JSON.parse(JSON.stringify({
  metadata: { name, managedFields: [{ manager, operation: 'Update', time: `2026-01-01T00:00:0${name.length}Z`, fieldsType: 'FieldsV1', fieldsV1: fields }] },
})) as { metadata: { name: string; managedFields: { manager: string; time: string; fieldsV1: object }[] } };

describe('SharedFieldSets', () => {
  it('makes equal fieldsV1 trees of different objects one frozen object, keeping the rest of each entry', () => {
    const sets = new SharedFieldSets();
    const fields = { 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {} } } } };
    const a = pod('a', fields);
    const b = pod('bb', fields, 'other');
    assert.notEqual(a.metadata.managedFields[0]!.fieldsV1, b.metadata.managedFields[0]!.fieldsV1);
    sets.share(a);
    sets.share(b);
    const fa = a.metadata.managedFields[0]!.fieldsV1;
    assert.equal(b.metadata.managedFields[0]!.fieldsV1, fa);
    assert.deepEqual(fa, fields);
    assert.ok(Object.isFrozen(fa) && Object.isFrozen((fa as typeof fields)['f:spec']['f:containers']));
    assert.throws(() => { (fa as Record<string, unknown>)['f:status'] = {}; }, TypeError);
    // The entries stay each object's own: only the tree is shared.
    assert.equal(b.metadata.managedFields[0]!.manager, 'other');
    assert.notEqual(a.metadata.managedFields[0]!.time, b.metadata.managedFields[0]!.time);
    assert.equal(sets.size, 1);
  });

  it('keeps different trees apart and ignores objects without managedFields or with malformed entries', () => {
    const sets = new SharedFieldSets();
    const a = pod('a', { 'f:metadata': { 'f:labels': { 'f:app': {} } } });
    const b = pod('b', { 'f:metadata': { 'f:labels': { 'f:tier': {} } } });
    sets.share(a);
    sets.share(b);
    assert.notEqual(a.metadata.managedFields[0]!.fieldsV1, b.metadata.managedFields[0]!.fieldsV1);
    assert.deepEqual(b.metadata.managedFields[0]!.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:tier': {} } } });
    sets.share({ metadata: { name: 'c' } });
    sets.share({ metadata: { managedFields: 'nope' } });
    sets.share({ metadata: { managedFields: [null, 3, { manager: 'x' }, { fieldsV1: 'text' }] } });
    sets.share(null);
    assert.equal(sets.size, 2);
  });

  it('forgets shapes no object uses any more', async () => {
    const sets = new SharedFieldSets(4);
    const keep = pod('keep', { 'f:keep': {} });
    sets.share(keep);
    // Shapes used once and dropped: their weak entries are swept as the table grows.
    for (let i = 0; i < 200; i++) sets.share(pod(`p${i}`, { [`f:x${i}`]: {} }));
    for (let round = 0; round < 10 && sets.size > 8; round++) {
      await new Promise((r) => setImmediate(r));
      gc();
      for (let i = 0; i < 8; i++) sets.share(pod(`q${round}-${i}`, { [`f:y${round}-${i}`]: {} }));
    }
    assert.ok(sets.size <= 16, `table holds ${sets.size} shapes`);
    const again = pod('again', { 'f:keep': {} });
    sets.share(again);
    assert.equal(again.metadata.managedFields[0]!.fieldsV1, keep.metadata.managedFields[0]!.fieldsV1);
  });
});
