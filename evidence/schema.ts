// One ajv instance and one compiled validator per schema, built on first use: the JSON Schema
// files in evidence/schemas/ are the single source of validation (types are generated from them).
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { evdError } from './errors.ts';

const SCHEMA_DIR = new URL('./schemas/', import.meta.url);

/** Each schema file and the definitions other layers validate against. */
export const SCHEMA_REFS = {
  report: 'https://patchproof.dev/schemas/report-envelope.json',
  host: 'https://patchproof.dev/schemas/host.json',
  meta: 'https://patchproof.dev/schemas/meta.json',
  exception: 'https://patchproof.dev/schemas/exception.json',
  audit: 'https://patchproof.dev/schemas/audit-entry.json',
  keys: 'https://patchproof.dev/schemas/keys.json',
  config: 'https://patchproof.dev/schemas/config.json',
  agentMessage: 'https://patchproof.dev/schemas/protocol.json#/definitions/agentMessage',
  collectorMessage: 'https://patchproof.dev/schemas/protocol.json#/definitions/collectorMessage',
  reportBody: 'https://patchproof.dev/schemas/protocol.json#/definitions/reportBody',
  enrollRequest: 'https://patchproof.dev/schemas/protocol.json#/definitions/enrollRequest',
  enrollResponse: 'https://patchproof.dev/schemas/protocol.json#/definitions/enrollResponse',
  rotateResponse: 'https://patchproof.dev/schemas/protocol.json#/definitions/rotateResponse',
} as const;

export type SchemaName = keyof typeof SCHEMA_REFS;

export const SCHEMA_FILES = [
  'common.schema.json',
  'protocol.schema.json',
  'report-envelope.schema.json',
  'host.schema.json',
  'meta.schema.json',
  'exception.schema.json',
  'audit-entry.schema.json',
  'keys.schema.json',
  'config.schema.json',
] as const;

let ajv: Ajv | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

export function loadSchemaFile(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(file, SCHEMA_DIR), 'utf8')) as Record<string, unknown>;
}

function instance(): Ajv {
  if (ajv) return ajv;
  const a = new Ajv({ strict: true, strictRequired: false, allErrors: false, useDefaults: false, allowUnionTypes: true });
  const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
  addFormats(a);
  for (const file of SCHEMA_FILES) a.addSchema(loadSchemaFile(file));
  ajv = a;
  return a;
}

export function validator(name: SchemaName): ValidateFunction {
  let fn = compiled.get(name);
  if (!fn) {
    const got = instance().getSchema(SCHEMA_REFS[name]);
    if (!got) throw new Error(`schema ${name} not found`);
    fn = got;
    compiled.set(name, fn);
  }
  return fn;
}

export function describeErrors(errors: ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return 'invalid';
  return errors
    .slice(0, 5)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : ''}`)
    .join('; ');
}

/** Returns null when valid, else a short description of the first problems. */
export function check(name: SchemaName, value: unknown): string | null {
  const fn = validator(name);
  return fn(value) ? null : describeErrors(fn.errors);
}

/** Throws EVD_SCHEMA_INVALID (data: schema, errors) unless `value` matches schema `name`. */
export function assertValid<T>(name: SchemaName, value: unknown, what: string = name): T {
  const problem = check(name, value);
  if (problem !== null) {
    throw evdError('EVD_SCHEMA_INVALID', `${what} does not match its schema: ${problem}`, { data: { schema: name, errors: problem } });
  }
  return value as T;
}
