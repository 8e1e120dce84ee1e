/**
 * Container logs from the CRI log files the runtime writes: one record per line,
 * `<RFC3339Nano time> <stdout|stderr> <F|P>[:tags] <text>`, where P marks a partial line that the
 * next record of the same stream continues. Output follows the kubelet: the text of each record
 * (a newline after full ones), an RFC3339Nano timestamp (9 fraction digits) before each line with
 * `timestamps`, filtered by `since`/`stream`, the last `tailLines` lines, cut at `limitBytes`, and
 * with `follow` the file is followed until the container has exited.
 */
import { open, stat } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { sleep } from '../../base/async.js';
import type { LogOptions } from './runtime.js';

export interface CriLogRecord {
  /** The timestamp as written. */
  time: string;
  /** Milliseconds since the epoch (for `since`). */
  ms: number;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  content: string;
}

/** Parses one line of a CRI log file; undefined when it is not a record. */
export function parseCriLogLine(line: string): CriLogRecord | undefined {
  const a = line.indexOf(' ');
  if (a < 0) return undefined;
  const b = line.indexOf(' ', a + 1);
  if (b < 0) return undefined;
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  let c = line.indexOf(' ', b + 1);
  if (c < 0) c = line.length;
  const tags = line.slice(b + 1, c).split(':');
  if (tags[0] !== 'F' && tags[0] !== 'P') return undefined;
  const time = line.slice(0, a);
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) return undefined;
  return { time, ms, stream, partial: tags[0] === 'P', content: line.slice(c + 1) };
}

/** The kubelet's RFC3339NanoFixed form: always nine fraction digits. */
export function fixedNanoTimestamp(time: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return time;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0').slice(0, 9)}${m[3]}`;
}

/** Turns records into output text pieces, one array entry per logical line. */
export class LogFormatter {
  /** Streams whose last record was partial (the next one continues the line). */
  readonly #open = new Set<string>();
  constructor(private readonly options: Pick<LogOptions, 'timestamps' | 'since' | 'stream'>) {}

  /** Output for one record, or '' when filtered out. `startsLine` tells whether a new line begins. */
  format(r: CriLogRecord): { text: string; startsLine: boolean } {
    const { stream, since, timestamps } = this.options;
    if (stream === 'Stdout' && r.stream !== 'stdout') return { text: '', startsLine: false };
    if (stream === 'Stderr' && r.stream !== 'stderr') return { text: '', startsLine: false };
    const continuing = this.#open.has(r.stream);
    if (r.partial) this.#open.add(r.stream); else this.#open.delete(r.stream);
    // Like the kubelet, `since` filters record by record.
    if (since && r.ms < since.getTime()) return { text: '', startsLine: false };
    const prefix = timestamps && !continuing ? fixedNanoTimestamp(r.time) + ' ' : '';
    return { text: prefix + r.content + (r.partial ? '' : '\n'), startsLine: !continuing };
  }
}

/** Formats whole file content; with `tailLines`, keeps only the last lines. */
export function formatLogText(text: string, options: Pick<LogOptions, 'timestamps' | 'since' | 'stream' | 'tailLines'>): string {
  const formatter = new LogFormatter(options);
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    const r = line ? parseCriLogLine(line) : undefined;
    if (!r) continue;
    const { text: out, startsLine } = formatter.format(r);
    if (!out) continue;
    if (startsLine || lines.length === 0) lines.push(out);
    else lines[lines.length - 1] += out;
  }
  const kept = options.tailLines !== undefined ? lines.slice(Math.max(0, lines.length - options.tailLines)) : lines;
  return kept.join('');
}

export interface FollowOptions {
  signal: AbortSignal;
  /** Whether the container still runs; following ends once it does not and the file is drained. */
  isRunning: () => boolean | Promise<boolean>;
  pollMs?: number;
}

/** Writes a container's log to `out` per `options`; resolves when done (or the signal aborts). */
export async function writeContainerLog(path: string, options: LogOptions, out: Writable, follow: FollowOptions): Promise<void> {
  let budget = options.limitBytes ?? Infinity;
  const emit = async (text: string): Promise<boolean> => {
    if (!text || budget <= 0) return budget > 0;
    let bytes = Buffer.from(text, 'utf8');
    if (bytes.length > budget) bytes = bytes.subarray(0, budget);
    budget -= bytes.length;
    if (!out.write(bytes)) await new Promise<void>((resolve) => { out.once('drain', resolve); out.once('close', resolve); });
    return budget > 0;
  };
  const fh = await open(path, 'r');
  try {
    let offset = 0;
    let carry = '';
    const readMore = async (): Promise<string> => {
      const { size } = await fh.stat();
      if (size < offset) { offset = 0; carry = ''; } // truncated or rotated in place
      if (size === offset) return '';
      const buf = Buffer.alloc(size - offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      offset += bytesRead;
      const text = carry + buf.subarray(0, bytesRead).toString('utf8');
      const cut = text.lastIndexOf('\n');
      carry = cut < 0 ? text : text.slice(cut + 1);
      return cut < 0 ? '' : text.slice(0, cut + 1);
    };
    const formatter = new LogFormatter(options);
    const first = await readMore();
    if (!(await emit(formatLogText(first, options)))) return;
    // Later reads must continue partial lines that began in the first read.
    for (const line of first.split('\n')) { const r = line ? parseCriLogLine(line) : undefined; if (r) formatter.format(r); }
    if (!options.follow) return;
    const poll = follow.pollMs ?? 200;
    for (;;) {
      if (follow.signal.aborted) return;
      const more = await readMore();
      if (more) {
        let text = '';
        for (const line of more.split('\n')) {
          const r = line ? parseCriLogLine(line) : undefined;
          if (r) text += formatter.format(r).text;
        }
        if (!(await emit(text))) return;
        continue;
      }
      if (!(await follow.isRunning())) {
        const rest = await readMore();
        if (!rest) return;
        continue;
      }
      try {
        await sleep(poll, follow.signal);
      } catch {
        return;
      }
    }
  } finally {
    await fh.close();
  }
}

/** Whether a log file exists (the runtime creates it when the container starts). */
export async function logFileExists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
