import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from './wire.js';
import { RRClass, RRType, Rcode, decodeMessage, emptyFlags, encodeMessage, encodeWithLimit, DnsFormatError } from './wire.js';

const msg: Message = {
  id: 0xbeef,
  flags: { ...emptyFlags, qr: true, aa: true, rd: true, ra: true, rcode: Rcode.NOERROR },
  questions: [{ name: 'web.default.svc.cluster.local.', type: RRType.SRV, class: RRClass.IN }],
  answers: [
    { name: 'web.default.svc.cluster.local.', type: RRType.A, class: 1, ttl: 5, data: '10.43.0.20' },
    { name: 'web.default.svc.cluster.local.', type: RRType.SRV, class: 1, ttl: 5, data: { priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local.' } },
    { name: 'alias.default.svc.cluster.local.', type: RRType.CNAME, class: 1, ttl: 5, data: 'example.com.' },
    { name: '20.0.43.10.in-addr.arpa.', type: RRType.PTR, class: 1, ttl: 5, data: 'web.default.svc.cluster.local.' },
    { name: 'example.com.', type: RRType.MX, class: 1, ttl: 300, data: { preference: 10, exchange: 'mail.example.com.' } },
    { name: 'example.com.', type: RRType.TXT, class: 1, ttl: 300, data: ['v=spf1 -all', 'second'] },
    { name: 'example.com.', type: RRType.AAAA, class: 1, ttl: 300, data: new Uint8Array([0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]) },
  ],
  authorities: [{ name: 'cluster.local.', type: RRType.SOA, class: 1, ttl: 5, data: { mname: 'ns.dns.cluster.local.', rname: 'hostmaster.cluster.local.', serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 } }],
  additionals: [{ name: '.', type: RRType.OPT, class: 1232, ttl: 0, data: new Uint8Array(0) }],
};

test('every record type round-trips through the wire format', () => {
  const wire = encodeMessage(msg);
  assert.deepEqual(decodeMessage(wire), msg);
});

test('names are compressed on encoding (a repeated name costs two bytes)', () => {
  const one = encodeMessage({ ...msg, answers: msg.answers.slice(0, 1), authorities: [], additionals: [] });
  const two = encodeMessage({ ...msg, answers: [msg.answers[0]!, msg.answers[0]!], authorities: [], additionals: [] });
  assert.equal(two.length - one.length, 2 + 10 + 4);
  // The question name appears once in full.
  assert.equal(Buffer.from(two).toString('latin1').split('cluster').length - 1, 1);
});

test('decodes a query as dig sends it, header flags included', () => {
  // dig +noedns web.default.svc.cluster.local A, id 0x1234, RD
  const q = Buffer.from('123401000001000000000000' + '03776562' + '0764656661756c74' + '03737663' + '07636c7573746572' + '056c6f63616c' + '00' + '0001' + '0001', 'hex');
  const m = decodeMessage(q);
  assert.equal(m.id, 0x1234);
  assert.equal(m.flags.rd, true);
  assert.equal(m.flags.qr, false);
  assert.deepEqual(m.questions, [{ name: 'web.default.svc.cluster.local.', type: 1, class: 1 }]);
});

test('malformed messages are errors, not crashes: short header, runaway label, pointer loop', () => {
  assert.throws(() => decodeMessage(new Uint8Array(5)), DnsFormatError);
  const runaway = Buffer.from('000000000001000000000000' + '3f6162', 'hex');
  assert.throws(() => decodeMessage(runaway), DnsFormatError);
  const loop = Buffer.from('000000000001000000000000' + 'c00c' + '00010001', 'hex');
  assert.throws(() => decodeMessage(loop), DnsFormatError);
});

test('answers too big for the client are truncated with TC set, keeping OPT', () => {
  const many: Message = { ...msg, answers: Array.from({ length: 100 }, (_, i) => ({ name: 'big.default.svc.cluster.local.', type: RRType.A, class: 1, ttl: 5, data: `10.42.0.${i}` })) };
  const out = encodeWithLimit(many, 512);
  assert.ok(out.length <= 512);
  const m = decodeMessage(out);
  assert.equal(m.flags.tc, true);
  assert.ok(m.answers.length > 0 && m.answers.length < 100);
  assert.equal(m.additionals.at(-1)?.type, RRType.OPT);
  assert.equal(decodeMessage(encodeWithLimit(many, 65535)).answers.length, 100);
});
