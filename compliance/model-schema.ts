// Validators for the judgement layer's own schemas (compliance model, policy front matter),
// compiled once on first use: the schema files are the single source of both contracts.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

const SCHEMA_DIR = new URL('./schemas/', import.meta.url);

export const COMPLIANCE_SCHEMAS = {
  model: 'compliance-model.schema.json',
  policy: 'policy.schema.json',
} as const;

export type ComplianceSchemaName = keyof typeof COMPLIANCE_SCHEMAS;

const compiled = new Map<ComplianceSchemaName, ValidateFunction>();
let ajv: Ajv | undefined;

export function loadComplianceSchema(name: ComplianceSchemaName): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(COMPLIANCE_SCHEMAS[name], SCHEMA_DIR), 'utf8')) as Record<string, unknown>;
}

function validator(name: ComplianceSchemaName): ValidateFunction {
  let fn = compiled.get(name);
  if (!fn) {
    ajv ??= new Ajv({ strict: true, allErrors: false, allowUnionTypes: true });
    fn = ajv.compile(loadComplianceSchema(name));
    compiled.set(name, fn);
  }
  return fn;
}

function describe(errors: ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return 'invalid';
  return errors
    .slice(0, 5)
    .map((e) => {
      const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
      return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${extra}`;
    })
    .join('; ');
}

/** null when `value` matches the schema, else a short description of the first problems. */
export function checkCompliance(name: ComplianceSchemaName, value: unknown): string | null {
  const fn = validator(name);
  return fn(value) ? null : describe(fn.errors);
}
