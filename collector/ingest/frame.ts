// First gate for every WebSocket frame: size and nesting bounded before JSON.parse, then the
// message type, then strict schema validation (evidence/schema.ts). Pure: bytes in, verdict out.
import { check } from '../../evidence/schema.ts';
import type { AgentMessage } from '../../evidence/types.gen.ts';
import type { ColCode } from '../errors.ts';

export const MAX_FRAME_BYTES = 5 * 1024 * 1024;
export const MAX_DEPTH = 16;
export const AGENT_TYPES = ['hello', 'report'] as const;

export type FrameVerdict =
  | { ok: true; message: AgentMessage }
  | { ok: false; code: ColCode; message: string; reportId: string | null };

const OPEN_OBJ = 0x7b;
const OPEN_ARR = 0x5b;
const CLOSE_OBJ = 0x7d;
const CLOSE_ARR = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Deepest bracket nesting in JSON text (strings skipped), stopping early past `limit`. */
export function jsonDepth(bytes: Uint8Array, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJ || c === OPEN_ARR) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === CLOSE_OBJ || c === CLOSE_ARR) depth--;
  }
  return max;
}

const REPORT_ID_RE = /^[0-9A-Za-z_-]{16,64}$/;

/** The report id of a refused message, when it has a well-formed one (so the nack can name it). */
function reportIdOf(value: unknown): string | null {
  const id = (value as { report_id?: unknown } | null)?.report_id;
  return typeof id === 'string' && REPORT_ID_RE.test(id) ? id : null;
}

export function parseFrame(data: Uint8Array, maxBytes: number = MAX_FRAME_BYTES): FrameVerdict {
  const refuse = (code: ColCode, message: string, reportId: string | null = null): FrameVerdict => ({ ok: false, code, message, reportId });
  if (data.length > maxBytes) return refuse('COL_MESSAGE_TOO_LARGE', `frame of ${data.length} bytes exceeds ${maxBytes}`);
  if (data.length === 0) return refuse('COL_MESSAGE_INVALID', 'empty frame');
  if (jsonDepth(data, MAX_DEPTH) > MAX_DEPTH) return refuse('COL_MESSAGE_TOO_DEEP', `JSON nested deeper than ${MAX_DEPTH}`);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    return refuse('COL_MESSAGE_INVALID', 'frame is not UTF-8 JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse('COL_MESSAGE_INVALID', 'a message is a JSON object');
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !(AGENT_TYPES as readonly string[]).includes(type)) {
    return refuse('COL_UNKNOWN_TYPE', `unknown message type ${JSON.stringify(typeof type === 'string' ? type.slice(0, 32) : typeof type)}`);
  }
  const problem = check('agentMessage', value);
  if (problem !== null) {
    // oneOf errors say little; re-check the body alone for a message a person can act on.
    const body = (value as { body?: unknown }).body;
    const detail = type === 'report' && body !== undefined ? (check('reportBody', body) ?? problem) : problem;
    return refuse('COL_MESSAGE_INVALID', `${type} refused: ${detail}`.slice(0, 2000), reportIdOf(value));
  }
  return { ok: true, message: value as AgentMessage };
}
