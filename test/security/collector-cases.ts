// Generated hostile inputs for the collector's security suite: each case is a frame (or request
// body) and the coded refusal it must get.
import { inventorySha256 } from '../../evidence/packages-tsv.ts';
import { check } from '../../evidence/schema.ts';
import type { ReportBody } from '../../evidence/types.gen.ts';

export interface FrameCase {
  name: string;
  frame: string | Buffer;
  codes: readonly string[];
}

export const HOSTILE_STRINGS: readonly [string, string][] = [
  ['dot-dot', '..'],
  ['traversal', '../../etc/passwd'],
  ['absolute path', '/etc/shadow'],
  ['slash', 'a/b'],
  ['backslash', 'a\\b'],
  ['NUL', 'a\u0000b'],
  ['newline', 'a\nb'],
  ['carriage return', 'a\rb'],
  ['tab', 'a\tb'],
  ['escape', 'a\u001bb'],
  ['DEL', 'a\u007fb'],
  ['bell', '\u0007'],
  ['RTL override', 'a\u202eb'],
  ['space', 'a b'],
  ['empty', ''],
  ['leading dash', '-rf'],
  ['dollar', '$(reboot)'],
  ['backtick', '`id`'],
  ['semicolon', 'a;b'],
  ['quote', 'a"b'],
  ['angle', '<script>'],
  ['too long', 'a'.repeat(300)],
  ['unicode', 'pkg\u00e9'],
  ['percent-encoded slash', 'a%2fb'],
];

export const WRONG_VALUES: readonly [string, unknown][] = [
  ['null', null],
  ['number', 42],
  ['boolean', true],
  ['array', []],
  ['object', {}],
  ['string', 'x'],
];

let n = 0;
export function reportId(): string {
  n++;
  return `hostile_${String(n).padStart(12, '0')}`;
}

export function goodBody(now: Date): ReportBody {
  const packages = [
    { name: 'openssl', arch: 'amd64', version: '3.0.13-1' },
    { name: 'bash', arch: 'amd64', version: '5.2-1' },
  ];
  return {
    collected_at: now.toISOString(),
    agent_version: '0.1.0',
    hostname: 'sec-host',
    os: { id: 'debian', version_id: '12' },
    arch: 'amd64',
    kernel: { running: '6.1.0-18-amd64', installed: ['6.1.0-18-amd64'], reboot_required: false },
    package_manager: 'dpkg',
    inventory_sha256: inventorySha256(packages),
    inventory_count: packages.length,
    packages,
    pending: [],
    history: [],
    warnings: [],
  };
}

const report = (body: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ type: 'report', report_id: reportId(), seq: 1_000_000 + n, body, ...extra });

/** Sets a value at a dotted path in a deep copy. */
function setPath(obj: unknown, path: string, value: unknown): unknown {
  const copy = structuredClone(obj) as Record<string, unknown>;
  const keys = path.split('.');
  let cur: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) cur = cur[k] as Record<string, unknown>;
  cur[keys[keys.length - 1]!] = value;
  return copy;
}

const STRING_FIELDS = ['hostname', 'arch', 'agent_version', 'os.id', 'os.version_id', 'kernel.running', 'packages.0.name', 'packages.0.version', 'packages.0.arch', 'collected_at'];
const TYPED_FIELDS = [...STRING_FIELDS, 'os', 'kernel', 'kernel.installed', 'kernel.reboot_required', 'package_manager', 'inventory_sha256', 'inventory_count', 'packages', 'pending', 'history', 'warnings'];

export function frameCases(now: Date): FrameCase[] {
  const body = goodBody(now);
  const cases: FrameCase[] = [];
  const invalid = ['COL_MESSAGE_INVALID'];
  // Malformed JSON and non-objects.
  const malformed = ['', ' ', '{', '}', '{"type":"report"', '{"type":"report",}', "{'type':'hello'}", 'hello', 'NaN', 'undefined', '[]', '[{"type":"hello"}]', '"hello"', '1', 'true', 'null', '{"type":"hello"}{"type":"hello"}', '\u0000', '{"type":"hello","protocol":1,"agent_version":"1"', '\ufeff{"type":"hello"}'];
  malformed.forEach((m, i) => cases.push({ name: `malformed JSON #${i} ${JSON.stringify(m).slice(0, 30)}`, frame: m, codes: ['COL_MESSAGE_INVALID', 'COL_UNKNOWN_TYPE'] }));
  cases.push({ name: 'invalid UTF-8', frame: Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]), codes: invalid });
  // Unknown message types (including the collector's own).
  for (const t of ['ack', 'nack', 'config', 'collect-now', 'HELLO', 'Report', 'enroll', 'admin', '__proto__', 'constructor', 'report ', '', 'x'.repeat(1000)]) {
    cases.push({ name: `unknown type ${JSON.stringify(t).slice(0, 20)}`, frame: JSON.stringify({ type: t }), codes: ['COL_UNKNOWN_TYPE'] });
  }
  for (const [label, v] of WRONG_VALUES.filter(([l]) => l !== 'string')) cases.push({ name: `type is ${label}`, frame: JSON.stringify({ type: v }), codes: ['COL_UNKNOWN_TYPE'] });
  // Deep nesting and prototype tricks.
  for (const depth of [17, 50, 1000, 100_000]) {
    cases.push({ name: `nested arrays depth ${depth}`, frame: '['.repeat(depth) + ']'.repeat(depth), codes: ['COL_MESSAGE_TOO_DEEP'] });
    cases.push({ name: `nested body depth ${depth}`, frame: report(JSON.parse('{"a":'.repeat(Math.min(depth, 200)) + '1' + '}'.repeat(Math.min(depth, 200)))), codes: ['COL_MESSAGE_TOO_DEEP', 'COL_MESSAGE_INVALID'] });
  }
  cases.push({ name: '__proto__ in body', frame: report({ ...body, ['__proto__']: { polluted: true } }), codes: invalid });
  cases.push({ name: 'literal __proto__ key', frame: report(body).replace('"body":{', '"body":{"__proto__":{"x":1},'), codes: invalid });
  // Hello variants.
  for (const [label, hello] of [
    ['protocol 2', { type: 'hello', protocol: 2, agent_version: '1' }],
    ['protocol "1"', { type: 'hello', protocol: '1', agent_version: '1' }],
    ['no agent_version', { type: 'hello', protocol: 1 }],
    ['extra field', { type: 'hello', protocol: 1, agent_version: '1', admin: true }],
    ['host_id of another device', { type: 'hello', protocol: 1, agent_version: '1', host_id: 'h_0000000000000001' }],
    ['negative last_acked_seq', { type: 'hello', protocol: 1, agent_version: '1', last_acked_seq: -1 }],
  ] as const) {
    cases.push({ name: `hello ${label}`, frame: JSON.stringify(hello), codes: invalid });
  }
  // Report envelope fields.
  for (const [label, id] of [['short', 'abc'], ['slash', 'a/bcdefghijklmnopq'], ['dots', '..aaaaaaaaaaaaaaaa'], ['NUL', 'aaaaaaaaaaaaaaaa\u0000'], ['too long', 'a'.repeat(65)], ['number', 12345678901234567]] as const) {
    cases.push({ name: `report_id ${label}`, frame: JSON.stringify({ type: 'report', report_id: id, seq: 5, body }), codes: invalid });
  }
  for (const [label, seq] of [['zero', 0], ['negative', -1], ['fraction', 1.5], ['string', '7'], ['too big', 2 ** 60], ['null', null]] as const) {
    cases.push({ name: `seq ${label}`, frame: JSON.stringify({ type: 'report', report_id: reportId(), seq, body }), codes: invalid });
  }
  cases.push({ name: 'host_id of another device in the report', frame: report(body, { host_id: 'h_0000000000000001' }), codes: invalid });
  cases.push({ name: 'host_id of another device in the body', frame: report({ ...body, host_id: 'h_0000000000000001' }), codes: invalid });
  cases.push({ name: 'missing body', frame: JSON.stringify({ type: 'report', report_id: reportId(), seq: 9 }), codes: invalid });
  // Wrong types for every body field, and hostile strings in every string field.
  for (const field of TYPED_FIELDS) {
    for (const [label, v] of WRONG_VALUES) {
      const current = field.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], body);
      if (typeof current === typeof v && Array.isArray(current) === Array.isArray(v) && (current === null) === (v === null)) continue;
      cases.push({ name: `body.${field} = ${label}`, frame: report(setPath(body, field, v)), codes: invalid });
    }
  }
  for (const field of STRING_FIELDS) {
    for (const [label, s] of HOSTILE_STRINGS) {
      const changed = setPath(body, field, s);
      // A few strings are legitimate for some fields (an empty version_id); those are not attacks.
      if (check('reportBody', changed) === null && !field.startsWith('packages.')) continue;
      const codes = check('reportBody', changed) === null ? ['COL_INVENTORY_MISMATCH'] : invalid;
      cases.push({ name: `body.${field} ${label}`, frame: report(changed), codes });
    }
  }
  for (const [label, s] of HOSTILE_STRINGS.slice(0, 12)) {
    cases.push({ name: `history name ${label}`, frame: report({ ...body, history: [{ time: now.toISOString(), action: 'install', name: s }] }), codes: invalid });
    cases.push({ name: `pending candidate ${label}`, frame: report({ ...body, pending: [{ name: 'openssl', arch: 'amd64', installed: null, candidate: s, security: true }] }), codes: invalid });
  }
  // Limits.
  cases.push({ name: 'too many warnings', frame: report({ ...body, warnings: Array.from({ length: 101 }, () => ({ code: 'AGT_X', message: 'm' })) }), codes: invalid });
  cases.push({ name: 'inventory_count over 20000', frame: report({ ...body, inventory_count: 20_001 }), codes: invalid });
  const many = Array.from({ length: 20_001 }, (_, i) => ({ name: `p${i}`, arch: 'amd64', version: '1' }));
  cases.push({ name: '20,001 packages', frame: report({ ...body, packages: many, inventory_count: 20_000, inventory_sha256: inventorySha256(many) }), codes: invalid });
  // Packages that do not match their hash or count.
  cases.push({ name: 'packages not matching inventory_sha256', frame: report({ ...body, inventory_sha256: 'f'.repeat(64) }), codes: ['COL_INVENTORY_MISMATCH'] });
  cases.push({ name: 'packages not matching inventory_count', frame: report({ ...body, inventory_count: 3 }), codes: ['COL_INVENTORY_MISMATCH'] });
  return cases;
}
