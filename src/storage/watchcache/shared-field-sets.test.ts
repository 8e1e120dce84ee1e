import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SharedFieldSets } from './shared-field-sets.js';

interface Entry { manager: string; time: string; fieldsV1: Record<string, unknown> }
const obj = (name: string, ...fields: object[]) => JSON.parse(JSON.stringify({
  metadata: { name, managedFields: fields.map((f, i) => ({ manager: `m${i}`, operation: 'Update', time: `2026-01-01T00:00:0${name.length}Z`, fieldsType: 'FieldsV1', fieldsV1: f })) },
})) as { metadata: { name: string; managedFields: Entry[] } };
const fieldsOf = (o: ReturnType<typeof obj>, i = 0) => o.metadata.managedFields[i]!.fieldsV1;
type Tree = Record<string, Record<string, Record<string, unknown>>>;

const containers = { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} } }, 'f:dnsPolicy': {} };
const podFields = (volume: string) => ({
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': { ...containers, 'f:volumes': { [`k:{"name":"${volume}"}`]: { '.': {}, 'f:name': {}, 'f:projected': { 'f:defaultMode': {} } } } },
});

describe('SharedFieldSets', () => {
  it('makes equal fieldsV1 trees of different objects one frozen object, keeping the rest of each entry', () => {
    const sets = new SharedFieldSets();
    const fields = { 'f:spec': containers };
    const a = obj('a', fields);
    const b = obj('bb', fields);
    assert.notEqual(fieldsOf(a), fieldsOf(b));
    sets.share(a);
    sets.share(b);
    assert.equal(fieldsOf(b), fieldsOf(a));
    assert.deepEqual(fieldsOf(a), fields);
    assert.ok(Object.isFrozen(fieldsOf(a)) && Object.isFrozen((fieldsOf(a) as Tree)['f:spec']!['f:containers']));
    assert.throws(() => { fieldsOf(a)['f:status'] = {}; }, TypeError);
    // The entries stay each object's own: only the trees are shared.
    assert.notEqual(a.metadata.managedFields[0], b.metadata.managedFields[0]);
    assert.notEqual(a.metadata.managedFields[0]!.time, b.metadata.managedFields[0]!.time);
  });

  it('shares the equal branches of trees that differ (two pods differing in a volume name)', () => {
    const sets = new SharedFieldSets();
    const a = obj('a', podFields('kube-api-access-abcde'));
    const b = obj('b', podFields('kube-api-access-vwxyz'));
    sets.share(a);
    sets.share(b);
    const fa = fieldsOf(a) as Tree;
    const fb = fieldsOf(b) as Tree;
    assert.notEqual(fa, fb);
    assert.deepEqual(fa, podFields('kube-api-access-abcde'));
    assert.deepEqual(fb, podFields('kube-api-access-vwxyz'));
    assert.equal(fb['f:metadata'], fa['f:metadata']);
    assert.equal(fb['f:spec']!['f:containers'], fa['f:spec']!['f:containers']);
    assert.notEqual(fb['f:spec']!['f:volumes'], fa['f:spec']!['f:volumes']);
    // Below what differs, equal branches are shared again; every {} leaf is one object.
    const va = fa['f:spec']!['f:volumes'] as Tree;
    const vb = fb['f:spec']!['f:volumes'] as Tree;
    assert.equal(vb['k:{"name":"kube-api-access-vwxyz"}']!['f:projected'], va['k:{"name":"kube-api-access-abcde"}']!['f:projected']);
    assert.equal(fa['f:spec']!['f:dnsPolicy'], va['k:{"name":"kube-api-access-abcde"}']!['.']);
    assert.ok(Object.isFrozen(fb) && Object.isFrozen(vb));
  });

  it('ignores objects without managedFields and malformed entries', () => {
    const sets = new SharedFieldSets();
    sets.share({ metadata: { name: 'c' } });
    sets.share({ metadata: { managedFields: 'nope' } });
    const odd = { metadata: { managedFields: [null, 3, { manager: 'x' }, { fieldsV1: 'text' }, { fieldsV1: ['f:a'] }] } };
    sets.share(odd);
    sets.share(null);
    assert.equal(sets.size, 0);
    assert.deepEqual(odd.metadata.managedFields[4], { fieldsV1: ['f:a'] });
  });

  it('keeps shapes in use and forgets shapes met once, holding at most two generations', () => {
    const sets = new SharedFieldSets(8);
    const first = obj('first', { 'f:keep': { 'f:x': {} } });
    sets.share(first);
    for (let i = 0; i < 100; i++) {
      sets.share(obj(`p${i}`, { [`f:once${i}`]: { 'f:y': {} } }));
      // A shape in use is met again and again: it stays in the table.
      const again = obj(`k${i}`, { 'f:keep': { 'f:x': {} } });
      sets.share(again);
      assert.equal(fieldsOf(again), fieldsOf(first));
      assert.ok(sets.size <= 16, `table holds ${sets.size} keys`);
    }
    // A shape met once, long ago, is gone: a new equal tree is not replaced by it.
    const late = obj('late', { 'f:once0': { 'f:y': {} } });
    const own = fieldsOf(late);
    sets.share(late);
    assert.equal(fieldsOf(late), own);
  });
});
