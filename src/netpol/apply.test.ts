import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSave } from '../proxy/index.js';
import { jumpIsFirst, netpolJumpRule, planNetpolRestore } from './apply.js';
import { renderNetpolRules } from './rules.js';
import { testNamespace, testPod, testPolicy } from './testing.js';

const pods = [testPod('prod', 'web', '10.42.0.11', { app: 'web' }), testPod('dev', 'c', '10.42.0.21', {})];
const namespaces = [testNamespace('prod'), testNamespace('dev')];
const deny = testPolicy('prod', 'deny', { podSelector: {} });
const node = { nodeName: 'node-a' };

const saved = (forward: string[], chains: string[] = []) => parseSave(['*filter', ':FORWARD ACCEPT [0:0]', ...chains.map((c) => `:${c} - [0:0]`), ...forward, 'COMMIT', ''].join('\n'));

test('a full sync moves the jump to the top of FORWARD when the proxy got there first', () => {
  const set = renderNetpolRules([deny], pods, namespaces, node);
  const text = planNetpolRestore(set, { saved: saved(['-A FORWARD -m comment --comment "k8ts forwarding rules" -j K8TS-FORWARD', netpolJumpRule], ['K8TS-NETPOL']) });
  const lines = text.split('\n');
  assert.equal(lines[0], '*filter');
  assert.ok(lines.includes(`-D${netpolJumpRule.slice(2)}`), 'the old jump is deleted');
  const insert = lines.indexOf('-I FORWARD 1 -m comment --comment "k8ts network policies" -j K8TS-NETPOL');
  assert.ok(insert > lines.indexOf(':K8TS-NETPOL - [0:0]') && insert < lines.indexOf('COMMIT'), 'inserted after the chain exists, in the same commit');
  assert.equal(lines.filter((l) => l === 'COMMIT').length, 1);
});

test('a jump already first is left alone; stale K8TS-NP- chains are deleted, the proxy\'s never', () => {
  const set = renderNetpolRules([], pods, namespaces, node);
  assert.ok(jumpIsFirst(saved([netpolJumpRule, '-A FORWARD -j K8TS-FORWARD']).filter));
  const text = planNetpolRestore(set, { saved: saved([netpolJumpRule, '-A FORWARD -j K8TS-FORWARD'], ['K8TS-NETPOL', 'K8TS-NP-I-OLD', 'K8TS-FORWARD', 'K8TS-SVC-X']) });
  assert.doesNotMatch(text, /FORWARD 1|-D FORWARD/);
  assert.match(text, /^-X K8TS-NP-I-OLD$/m);
  assert.doesNotMatch(text, /K8TS-FORWARD|K8TS-SVC-X/);
});

test('a partial sync writes only the chains that changed and deletes the ones no longer wanted', () => {
  const before = renderNetpolRules([deny], pods, namespaces, node);
  const after = renderNetpolRules([], pods, namespaces, node);
  assert.equal(planNetpolRestore(before, { previous: before }), '', 'nothing changed, nothing written');
  const text = planNetpolRestore(after, { previous: before });
  assert.match(text, /^:K8TS-NP-INGRESS - \[0:0\]$/m);
  assert.doesNotMatch(text, /^:K8TS-NETPOL /m, 'the unchanged root chain is not rewritten');
  assert.equal(text.match(/^-X K8TS-NP-/gm)?.length, 2, 'the pod chain and the policy chain are deleted');
  const noSaved = planNetpolRestore(before, {});
  assert.doesNotMatch(noSaved, /FORWARD/, 'without iptables-save output the jump is not touched');
});

/** The restore text cut into its `*table … COMMIT` sections. */
function sections(text: string): string[][] {
  const out: string[][] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) out.push([line]);
    else if (line) out.at(-1)!.push(line);
  }
  return out;
}

test('with several COMMITs the jump is moved in the last chain-writing one, after every chain exists', () => {
  const policies = [deny, testPolicy('prod', 'allow-web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] })];
  const set = renderNetpolRules(policies, pods, namespaces, node);
  const insertLine = '-I FORWARD 1 -m comment --comment "k8ts network policies" -j K8TS-NETPOL';
  for (const forward of [
    ['-A FORWARD -m comment --comment "k8ts forwarding rules" -j K8TS-FORWARD', netpolJumpRule, '-A FORWARD -j K8TS-NETPOL'],
    ['-A FORWARD -m comment --comment "k8ts forwarding rules" -j K8TS-FORWARD'],
  ]) {
    const text = planNetpolRestore(set, { saved: saved(forward, ['K8TS-NETPOL', 'K8TS-NP-I-OLD']), chainsPerCommit: 1 });
    const parts = sections(text);
    const withInsert = parts.findIndex((p) => p.includes(insertLine));
    assert.ok(parts.length > 2, 'the restore is split');
    assert.ok(withInsert >= 0, 'the jump is inserted');
    assert.equal(text.split('\n').filter((l) => l === insertLine).length, 1);
    const declaredBefore = new Set(parts.slice(0, withInsert + 1).flatMap((p) => p.filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0])));
    for (const c of set.filter) assert.ok(declaredBefore.has(c.name), `${c.name} is written before the jump goes in`);
    assert.ok(parts.slice(withInsert + 1).every((p) => p.every((l) => !l.startsWith('-A '))), 'only stale-chain cleanup follows');
    const deletes = parts[withInsert]!.filter((l) => l.startsWith('-D FORWARD'));
    assert.deepEqual(deletes, forward.filter((r) => r.endsWith('-j K8TS-NETPOL')).map((r) => '-D' + r.slice(2)), 'every misplaced jump is deleted');
    assert.ok(deletes.every((d) => parts[withInsert]!.indexOf(d) < parts[withInsert]!.indexOf(insertLine)), 'deleted before the insert, in the same COMMIT');
    assert.match(text, /^-X K8TS-NP-I-OLD$/m);
  }
});

test('a full sync with the jump first writes no jump lines, even split', () => {
  const set = renderNetpolRules([deny], pods, namespaces, node);
  const text = planNetpolRestore(set, { saved: saved([netpolJumpRule, '-A FORWARD -j K8TS-FORWARD'], ['K8TS-NETPOL']), chainsPerCommit: 1 });
  assert.ok(sections(text).length > 1);
  assert.doesNotMatch(text, /FORWARD/);
});
