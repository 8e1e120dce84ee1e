/** One structured logger, made in src/cli and passed down; components take log.child({ component }). */
export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: Level;
  /** Where lines go; defaults to stderr. */
  write?: (line: string) => void;
  format?: 'text' | 'json';
}

export function createLogger(opts: LoggerOptions = {}, base: Fields = {}): Logger {
  const min = order[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit = (level: Level, msg: string, fields?: Fields) => {
    if (order[level] < min) return;
    const all = { ...base, ...fields };
    if (opts.format === 'json') {
      write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...serialize(all) }));
    } else {
      const parts = Object.entries(serialize(all)).map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`);
      write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${msg}${parts.length ? ' ' + parts.join(' ') : ''}`);
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(opts, { ...base, ...fields }),
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };

function serialize(fields: Fields): Fields {
  const out: Fields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v instanceof Error) out[k] = v.cause instanceof Error ? `${v.message}: ${v.cause.message}` : v.message;
    else if (v !== undefined) out[k] = v;
  }
  return out;
}
