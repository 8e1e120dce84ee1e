import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseLabelSelector, matchesLabels, labelSelectorString, formatLabelSelector, labelSelectorMatches,
  labelSelectorAsRequirements, selectorFromSet, LabelSelectorParseError,
} from './label-selector.js';
import {
  parseFieldSelector, matchesFields, checkFieldSelectorFields, fieldSelectorString, FieldSelectorParseError, objectMatchesFields,
} from './field-selector.js';

test('label selector string grammar', () => {
  const reqs = parseLabelSelector('x=b,c!=d,e in (y,x),f notin (z),g,!h,k==v');
  assert.equal(labelSelectorString(reqs), 'c!=d,e in (x,y),f notin (z),g,!h,k==v,x=b');
  assert.deepEqual(parseLabelSelector(''), []);
  assert.deepEqual(parseLabelSelector('  '), []);
  assert.equal(labelSelectorString(parseLabelSelector('a=')), 'a=');
  assert.equal(labelSelectorString(parseLabelSelector('a in ()')), 'a in ()');
  assert.deepEqual(parseLabelSelector('a in (,b)')[0]!.values, ['', 'b']);
  assert.equal(labelSelectorString(parseLabelSelector('env in (in, notin)')), 'env in (in,notin)');
  assert.equal(labelSelectorString(parseLabelSelector('app.kubernetes.io/name=web')), 'app.kubernetes.io/name=web');
  assert.equal(labelSelectorString(parseLabelSelector('n>3')), 'n>3');
});

test('label selector errors are worded as upstream', () => {
  const msg = (s: string): string => {
    try { parseLabelSelector(s); } catch (e) { assert.ok(e instanceof LabelSelectorParseError); return e.message; }
    return 'parsed';
  };
  assert.equal(msg('a b'), "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  assert.equal(msg('a=b,'), "found '', expected: identifier after ','");
  assert.equal(msg(',a'), "found ',', expected: !, identifier, or 'end of string'");
  assert.equal(msg('a in b'), "unable to parse requirement: found 'b' expected: '('");
  assert.equal(msg('a in (b'), "unable to parse requirement: found '', expected: ',' or ')'");
  assert.equal(msg('!=a'), "found '!=', expected: !, identifier, or 'end of string'");
  assert.match(msg('a=b c'), /found 'c', expected: ',' or 'end of string'/);
  assert.match(msg('a=-x'), /^unable to parse requirement: values\[0\]\[a\]: Invalid value: "-x": a valid label must be/);
  assert.match(msg('Bad_/x=1'), /^unable to parse requirement: <nil>: Invalid value: "Bad_\/x": prefix part/);
  assert.equal(msg('a>b'), `unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer`);
  assert.equal(msg('!a=b'), "found '=', expected: ',' or 'end of string'");
});

test('label selector matching', () => {
  const labels = { app: 'web', tier: 'front', n: '5' };
  const m = (s: string): boolean => matchesLabels(parseLabelSelector(s), labels);
  assert.ok(m('app=web'));
  assert.ok(m('app==web,tier'));
  assert.ok(!m('app!=web'));
  assert.ok(m('missing!=x'));
  assert.ok(m('tier in (front,back)'));
  assert.ok(!m('tier notin (front)'));
  assert.ok(m('missing notin (x)'));
  assert.ok(m('!missing'));
  assert.ok(!m('!app'));
  assert.ok(m('n>4') && !m('n<5'));
  assert.ok(m(''));
  assert.ok(!matchesLabels(null, labels));
  assert.ok(!m('x='));
  assert.ok(matchesLabels(parseLabelSelector('x='), { x: '' }));
});

test('metav1.LabelSelector conversion and FormatLabelSelector', () => {
  assert.equal(formatLabelSelector({ matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'c', operator: 'In', values: ['y', 'x'] }, { key: 'd', operator: 'DoesNotExist' }] }), 'a=1,b=2,c in (x,y),!d');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), '<error>');
  assert.equal(labelSelectorAsRequirements(null), null);
  assert.ok(labelSelectorMatches({}, { any: 'x' }));
  assert.ok(!labelSelectorMatches(undefined, { any: 'x' }));
  assert.ok(labelSelectorMatches({ matchExpressions: [{ key: 'a', operator: 'Exists' }] }, { a: '' }));
  assert.ok(matchesLabels(selectorFromSet({ app: 'web' }), { app: 'web', x: 'y' }));
  assert.ok(!matchesLabels(selectorFromSet({ app: 'web' }), {}));
});

test('field selectors', () => {
  const reqs = parseFieldSelector('involvedObject.namespace=,reason!=Killing,metadata.name==a\\,b');
  assert.deepEqual(reqs, [
    { field: 'involvedObject.namespace', operator: '=', value: '' },
    { field: 'metadata.name', operator: '=', value: 'a,b' },
    { field: 'reason', operator: '!=', value: 'Killing' },
  ]);
  assert.equal(fieldSelectorString(reqs), 'involvedObject.namespace=,metadata.name=a\\,b,reason!=Killing');
  const vals: Record<string, string> = { 'metadata.name': 'a,b', reason: 'Started' };
  assert.ok(matchesFields(reqs, (f) => vals[f]));
  assert.ok(!matchesFields(parseFieldSelector('reason=Killing'), (f) => vals[f]));
  assert.deepEqual(parseFieldSelector(''), []);
  assert.throws(() => parseFieldSelector('foo'), (e) => e instanceof FieldSelectorParseError && e.message === "invalid selector: 'foo'; can't understand 'foo'");
  assert.throws(() => parseFieldSelector('a=b\\x'), /invalid field selector: invalid escape sequence: \\x/);
  assert.throws(() => parseFieldSelector('a=b=c'), /invalid field selector: unescaped character in value: 61/);
  const def = { fieldSelectors: { 'metadata.name': (o: { metadata: { name?: string } }) => o.metadata.name } };
  assert.throws(() => checkFieldSelectorFields(parseFieldSelector('spec.foo=1'), def), /^FieldSelectorParseError: field label not supported: spec.foo$/);
  checkFieldSelectorFields(parseFieldSelector('metadata.name=x'), def);
  assert.ok(objectMatchesFields(parseFieldSelector('metadata.name=x'), def, { metadata: { name: 'x' } }));
});
