// Renders TypeScript types for every evidence schema with json-schema-to-typescript.
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { loadSchemaFile } from '../evidence/schema.ts';

const ROOTS: Array<[file: string, name: string]> = [
  ['report-envelope.schema.json', 'ReportEnvelope'],
  ['host.schema.json', 'HostRecord'],
  ['meta.schema.json', 'HostMeta'],
  ['exception.schema.json', 'ExceptionRecord'],
  ['audit-entry.schema.json', 'AuditEntry'],
  ['keys.schema.json', 'KeysFile'],
  ['config.schema.json', 'CollectorConfig'],
];

const PROTOCOL_DEFS: Array<[def: string, name: string]> = [
  ['reportBody', 'ReportBody'],
  ['hello', 'HelloMessage'],
  ['report', 'ReportMessage'],
  ['ack', 'AckMessage'],
  ['nack', 'NackMessage'],
  ['collectNow', 'CollectNowMessage'],
  ['config', 'ConfigMessage'],
  ['enrollRequest', 'EnrollRequest'],
  ['enrollResponse', 'EnrollResponse'],
  ['rotateResponse', 'RotateResponse'],
];

const COMMON_DEFS: Array<[def: string, name: string]> = [
  ['package', 'Package'],
  ['pending', 'PendingUpdate'],
  ['historyEvent', 'HistoryEvent'],
  ['warning', 'Warning'],
  ['os', 'OsInfo'],
  ['kernel', 'KernelInfo'],
];

/** Inline `common.json#/definitions/x` refs as named local definitions so each type is emitted once. */
function localise(schema: unknown, common: Record<string, unknown>): unknown {
  if (Array.isArray(schema)) return schema.map((s) => localise(s, common));
  if (schema && typeof schema === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema)) {
      if (k === '$ref' && typeof v === 'string') {
        const m = /^(?:common\.json)?#\/definitions\/(.+)$/.exec(v);
        if (m && m[1] !== undefined && m[1] in common) {
          return localise((common as Record<string, unknown>)[m[1] as string], common);
        }
      }
      if (k === '$id' || k === '$schema') continue;
      out[k] = localise(v, common);
    }
    return out;
  }
  return schema;
}

export async function renderSchemaTypes(): Promise<string> {
  const common = (loadSchemaFile('common.schema.json').definitions ?? {}) as Record<string, unknown>;
  const named: Record<string, string> = {};
  for (const [def, name] of COMMON_DEFS) named[def] = name;
  const commonLocal: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(common)) {
    commonLocal[k] = named[k] ? { ...(v as object), title: named[k] } : v;
  }
  const opts = { bannerComment: '', additionalProperties: false, strictIndexSignatures: true, format: false, declareExternallyReferenced: true } as const;
  const parts: string[] = [
    '// Generated from evidence/schemas/*.schema.json by `npm run gen:types`. Do not edit by hand.',
    '/* eslint-disable */',
  ];
  const seen = new Set<string>();
  const emit = (ts: string) => {
    // json-schema-to-typescript emits every titled sub-schema; keep the first of each name.
    const blocks = ts.split(/\n(?=export )/);
    for (const block of blocks) {
      const m = /^export (?:interface|type) (\w+)/.exec(block.trim());
      if (m) {
        if (seen.has(m[1] as string)) continue;
        seen.add(m[1] as string);
      }
      if (block.trim()) parts.push(block.trim());
    }
  };
  for (const [def, name] of COMMON_DEFS) {
    emit(await compile(localise(commonLocal[def], commonLocal) as JSONSchema, name, opts));
  }
  for (const [file, name] of ROOTS) {
    const s = localise(loadSchemaFile(file), commonLocal) as Record<string, unknown>;
    emit(await compile({ ...s, title: name } as JSONSchema, name, opts));
  }
  const protocol = (loadSchemaFile('protocol.schema.json').definitions ?? {}) as Record<string, unknown>;
  const protoLocal: Record<string, unknown> = {};
  for (const [def, name] of PROTOCOL_DEFS) protoLocal[def] = { ...(localise(protocol[def], commonLocal) as object), title: name };
  for (const [def, name] of PROTOCOL_DEFS) {
    const resolved = JSON.parse(JSON.stringify(protoLocal[def]).replaceAll('"$ref":"#/definitions/reportBody"', '"tsType":"ReportBody"'));
    emit(await compile(resolved as JSONSchema, name, opts));
  }
  parts.push('export type AgentMessage = HelloMessage | ReportMessage;');
  parts.push('export type CollectorMessage = AckMessage | NackMessage | CollectNowMessage | ConfigMessage;');
  return parts.join('\n\n') + '\n';
}
