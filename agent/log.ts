// Structured agent logging: one JSON object per line on stderr ({time, level, msg, code?, …}).
// Secrets never reach a log line: tokens are redacted wherever they appear in a string.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogFields {
  code?: string;
  [key: string]: unknown;
}

export interface AgentLog {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const TOKEN_RE = /\b(pp[de])_[A-Za-z0-9_-]+/g;
const SECRET_KEYS = new Set(['device_token', 'token', 'authorization']);

export function redact(text: string): string {
  return text.replace(TOKEN_RE, '$1_[redacted]');
}

function clean(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { message: redact(value.message), ...(typeof code === 'string' ? { code } : {}) };
  }
  if (Array.isArray(value)) return depth > 4 ? '[…]' : value.map((v) => clean(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    if (depth > 4) return '[…]';
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.has(k.toLowerCase()) ? '[redacted]' : clean(v, depth + 1);
    return out;
  }
  return value;
}

export interface JsonLogOptions {
  write?: (line: string) => void;
  level?: LogLevel;
  now?: () => Date;
  /** Fields added to every line (e.g. host_id). */
  base?: Record<string, unknown>;
}

export function createJsonLog(options: JsonLogOptions = {}): AgentLog {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const min = ORDER[options.level ?? 'info'];
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel) => (msg: string, fields: LogFields = {}) => {
    if (ORDER[level] < min) return;
    const line = { time: now().toISOString(), level, msg: redact(msg), ...(clean({ ...options.base, ...fields }) as object) };
    write(JSON.stringify(line) + '\n');
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const silentLog: AgentLog = { debug() {}, info() {}, warn() {}, error() {} };

/** Collects lines in memory: for tests that assert what was logged. */
export function memoryLog(): AgentLog & { lines: Array<{ level: LogLevel; msg: string } & LogFields> } {
  const lines: Array<{ level: LogLevel; msg: string } & LogFields> = [];
  const push = (level: LogLevel) => (msg: string, fields: LogFields = {}) => void lines.push({ level, msg, ...(clean(fields) as LogFields) });
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}
