// Validates advisories against the OSV JSON schema shipped in compliance/schemas/ (draft 2020-12),
// compiled once on first use; the import skips whatever this rejects.

import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { cmpError } from './errors.ts';
import type { OsvRecord } from './osv-types.ts';

const SCHEMA_URL = new URL('./schemas/osv-schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (compiled) return compiled;
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  // ajv-formats is CommonJS whose module.exports is the plugin itself.
  const addFormats = addFormatsModule as unknown as (a: Ajv2020) => Ajv2020;
  addFormats(ajv);
  compiled = ajv.compile(JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object);
  return compiled;
}

export type OsvValidation = { readonly ok: true; readonly record: OsvRecord } | { readonly ok: false; readonly reason: string };

function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'record' : error.instancePath;
  const allowed = error.keyword === 'enum' ? ` (${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : '';
  const text = `${where} ${error.message ?? error.keyword}${allowed}`;
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}

/** Checks one parsed JSON value against the OSV schema; the reason names the first failing path. */
export function validateOsv(value: unknown): OsvValidation {
  const validate = validator();
  if (validate(value)) return { ok: true, record: value as OsvRecord };
  const first = validate.errors?.[0];
  return { ok: false, reason: first ? describe(first) : 'does not match the OSV schema' };
}

/** Like validateOsv, for callers that hold one record: throws CMP_OSV_INVALID with the reason. */
export function assertOsv(value: unknown): OsvRecord {
  const checked = validateOsv(value);
  if (checked.ok) return checked.record;
  const id = (value as { id?: unknown } | null)?.id;
  throw cmpError('CMP_OSV_INVALID', `advisory ${typeof id === 'string' ? id : '(no id)'} does not match the OSV schema: ${checked.reason}`, {
    data: { id: typeof id === 'string' ? id : null, reason: checked.reason },
  });
}
