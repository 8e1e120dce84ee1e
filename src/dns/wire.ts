/** The DNS wire format (RFC 1035, SRV RFC 2782, EDNS0 OPT RFC 6891): messages to and from bytes. */

export const RRType = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, ANY: 255 } as const;
export const RRClass = { IN: 1 } as const;
export const Rcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export const Opcode = { QUERY: 0 } as const;

export interface Question { name: string; type: number; class: number }

export interface Soa { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
export interface Srv { priority: number; weight: number; port: number; target: string }
export interface Mx { preference: number; exchange: string }

/**
 * Decoded record data: A → dotted address, CNAME/NS/PTR → a name, SOA, SRV, MX → objects,
 * TXT → strings; any other type (AAAA and OPT included) stays raw bytes, which is safe because
 * only these well-known types may carry compressed names.
 */
export type RecordData = string | string[] | Soa | Srv | Mx | Uint8Array;

export interface ResourceRecord {
  name: string;
  type: number;
  /** For OPT, the requester's UDP payload size. */
  class: number;
  /** For OPT, the extended rcode and flags. */
  ttl: number;
  data: RecordData;
}

export interface Flags {
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  ad: boolean;
  cd: boolean;
  rcode: number;
}

export interface Message {
  id: number;
  flags: Flags;
  questions: Question[];
  answers: ResourceRecord[];
  authorities: ResourceRecord[];
  additionals: ResourceRecord[];
}

export class DnsFormatError extends Error {
  constructor(message: string) { super(message); this.name = 'DnsFormatError'; }
}

export const emptyFlags: Flags = { qr: false, opcode: 0, aa: false, tc: false, rd: false, ra: false, ad: false, cd: false, rcode: 0 };

/** Lower-case, no trailing dot: the form names are compared in. */
export function canonicalName(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

// ---- decoding ----

export function decodeMessage(buf: Uint8Array): Message {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 12) throw new DnsFormatError('message shorter than its header');
  const id = view.getUint16(0);
  const f = view.getUint16(2);
  const flags: Flags = {
    qr: (f & 0x8000) !== 0, opcode: (f >> 11) & 0xf, aa: (f & 0x400) !== 0, tc: (f & 0x200) !== 0,
    rd: (f & 0x100) !== 0, ra: (f & 0x80) !== 0, ad: (f & 0x20) !== 0, cd: (f & 0x10) !== 0, rcode: f & 0xf,
  };
  const counts = [view.getUint16(4), view.getUint16(6), view.getUint16(8), view.getUint16(10)];
  let off = 12;
  const questions: Question[] = [];
  for (let i = 0; i < counts[0]!; i++) {
    const [name, next] = readName(buf, off);
    if (next + 4 > buf.length) throw new DnsFormatError('truncated question');
    questions.push({ name, type: view.getUint16(next), class: view.getUint16(next + 2) });
    off = next + 4;
  }
  const sections: ResourceRecord[][] = [[], [], []];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]!; i++) {
      const [name, next] = readName(buf, off);
      if (next + 10 > buf.length) throw new DnsFormatError('truncated record');
      const type = view.getUint16(next);
      const cls = view.getUint16(next + 2);
      const ttl = view.getUint32(next + 4);
      const len = view.getUint16(next + 8);
      const start = next + 10;
      if (start + len > buf.length) throw new DnsFormatError('truncated record data');
      sections[s]!.push({ name, type, class: cls, ttl, data: readData(buf, view, type, start, len) });
      off = start + len;
    }
  }
  return { id, flags, questions, answers: sections[0]!, authorities: sections[1]!, additionals: sections[2]! };
}

function readName(buf: Uint8Array, start: number): [string, number] {
  const labels: string[] = [];
  let off = start;
  let end = -1;
  let jumps = 0;
  for (;;) {
    if (off >= buf.length) throw new DnsFormatError('name runs past the message');
    const len = buf[off]!;
    if (len === 0) { off += 1; break; }
    if ((len & 0xc0) === 0xc0) {
      if (off + 1 >= buf.length) throw new DnsFormatError('truncated compression pointer');
      if (++jumps > 64) throw new DnsFormatError('compression loop');
      if (end < 0) end = off + 2;
      off = ((len & 0x3f) << 8) | buf[off + 1]!;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new DnsFormatError('unknown label type');
    if (off + 1 + len > buf.length) throw new DnsFormatError('label runs past the message');
    labels.push(Buffer.from(buf.subarray(off + 1, off + 1 + len)).toString('latin1'));
    off += 1 + len;
  }
  return [labels.join('.') + '.', end >= 0 ? end : off];
}

function readData(buf: Uint8Array, view: DataView, type: number, start: number, len: number): RecordData {
  const end = start + len;
  switch (type) {
    case RRType.A:
      if (len !== 4) throw new DnsFormatError('A record of the wrong length');
      return `${buf[start]}.${buf[start + 1]}.${buf[start + 2]}.${buf[start + 3]}`;
    case RRType.CNAME: case RRType.NS: case RRType.PTR:
      return readName(buf, start)[0];
    case RRType.MX:
      return { preference: view.getUint16(start), exchange: readName(buf, start + 2)[0] };
    case RRType.SRV:
      return { priority: view.getUint16(start), weight: view.getUint16(start + 2), port: view.getUint16(start + 4), target: readName(buf, start + 6)[0] };
    case RRType.SOA: {
      const [mname, a] = readName(buf, start);
      const [rname, b] = readName(buf, a);
      if (b + 20 > end) throw new DnsFormatError('truncated SOA');
      return { mname, rname, serial: view.getUint32(b), refresh: view.getUint32(b + 4), retry: view.getUint32(b + 8), expire: view.getUint32(b + 12), minimum: view.getUint32(b + 16) };
    }
    case RRType.TXT: {
      const texts: string[] = [];
      for (let o = start; o < end;) { const l = buf[o]!; texts.push(Buffer.from(buf.subarray(o + 1, o + 1 + l)).toString('utf8')); o += 1 + l; }
      return texts;
    }
    default:
      return buf.slice(start, end);
  }
}

// ---- encoding ----

class Writer {
  buf = new Uint8Array(512);
  len = 0;
  readonly names = new Map<string, number>();
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  u8(v: number): void { this.ensure(1); this.buf[this.len++] = v & 0xff; }
  u16(v: number): void { this.ensure(2); this.buf[this.len++] = (v >> 8) & 0xff; this.buf[this.len++] = v & 0xff; }
  u32(v: number): void { this.u16((v >>> 16) & 0xffff); this.u16(v & 0xffff); }
  bytes(b: Uint8Array): void { this.ensure(b.length); this.buf.set(b, this.len); this.len += b.length; }
  name(name: string, compress = true): void {
    const labels = canonicalLabels(name);
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const at = compress ? this.names.get(suffix) : undefined;
      if (at !== undefined) { this.u16(0xc000 | at); return; }
      if (this.len < 0x3fff) this.names.set(suffix, this.len);
      const label = Buffer.from(labels[i]!, 'latin1');
      if (label.length > 63) throw new DnsFormatError(`label longer than 63 bytes in ${name}`);
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }
}

function canonicalLabels(name: string): string[] {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  return n === '' ? [] : n.split('.');
}

export function encodeMessage(msg: Message): Uint8Array {
  const w = new Writer();
  const f = msg.flags;
  w.u16(msg.id);
  w.u16((f.qr ? 0x8000 : 0) | ((f.opcode & 0xf) << 11) | (f.aa ? 0x400 : 0) | (f.tc ? 0x200 : 0) | (f.rd ? 0x100 : 0)
    | (f.ra ? 0x80 : 0) | (f.ad ? 0x20 : 0) | (f.cd ? 0x10 : 0) | (f.rcode & 0xf));
  w.u16(msg.questions.length); w.u16(msg.answers.length); w.u16(msg.authorities.length); w.u16(msg.additionals.length);
  for (const q of msg.questions) { w.name(q.name); w.u16(q.type); w.u16(q.class); }
  for (const rr of [...msg.answers, ...msg.authorities, ...msg.additionals]) writeRecord(w, rr);
  return w.buf.slice(0, w.len);
}

function writeRecord(w: Writer, rr: ResourceRecord): void {
  w.name(rr.name);
  w.u16(rr.type); w.u16(rr.class); w.u32(rr.ttl >>> 0);
  const lenAt = w.len;
  w.u16(0);
  const d = rr.data;
  switch (rr.type) {
    case RRType.A: for (const p of (d as string).split('.')) w.u8(Number(p)); break;
    case RRType.CNAME: case RRType.NS: case RRType.PTR: w.name(d as string); break;
    case RRType.MX: w.u16((d as Mx).preference); w.name((d as Mx).exchange); break;
    case RRType.SRV: { const s = d as Srv; w.u16(s.priority); w.u16(s.weight); w.u16(s.port); w.name(s.target, false); break; }
    case RRType.SOA: { const s = d as Soa; w.name(s.mname); w.name(s.rname); w.u32(s.serial); w.u32(s.refresh); w.u32(s.retry); w.u32(s.expire); w.u32(s.minimum); break; }
    case RRType.TXT: for (const t of d as string[]) { const b = Buffer.from(t, 'utf8').subarray(0, 255); w.u8(b.length); w.bytes(b); } break;
    default: w.bytes(d as Uint8Array);
  }
  const len = w.len - lenAt - 2;
  w.buf[lenAt] = (len >> 8) & 0xff;
  w.buf[lenAt + 1] = len & 0xff;
}

/**
 * Encodes `msg` to fit in `limit` bytes: when it does not, records are dropped from the end
 * (additionals first, then authorities, then answers) and TC is set, so the client retries
 * over TCP. The OPT record is kept.
 */
export function encodeWithLimit(msg: Message, limit: number): Uint8Array {
  let out = encodeMessage(msg);
  if (out.length <= limit) return out;
  const opt = msg.additionals.filter((r) => r.type === RRType.OPT);
  const trimmed: Message = { ...msg, flags: { ...msg.flags, tc: true }, additionals: opt, authorities: [], answers: [...msg.answers] };
  out = encodeMessage(trimmed);
  while (out.length > limit && trimmed.answers.length > 0) {
    trimmed.answers.pop();
    out = encodeMessage(trimmed);
  }
  return out;
}
