// How pages get the model: the build passes an absolute path in PATCHPROOF_MODEL; the file is
// read with plain fs once per build process and indexed (see site-data.ts) for every page.
import { readFileSync } from 'node:fs';
import { siteError } from './errors.ts';
import type { ComplianceModel } from './model-types.ts';
import { indexModel, type SiteData } from './site-data.ts';

export const MODEL_ENV = 'PATCHPROOF_MODEL';
export const REPO_ENV = 'PATCHPROOF_REPO';
export const POLICIES_ENV = 'PATCHPROOF_POLICIES';
export const DOWNLOADS_ENV = 'PATCHPROOF_DOWNLOADS';

let cache: { file: string; data: SiteData } | undefined;

export function parseModel(text: string, file = 'model'): ComplianceModel {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw siteError('SITE_MODEL_INVALID', `${file} is not JSON`, { cause });
  }
  const schema = (value as { schema?: unknown } | null)?.schema;
  if (schema !== 'patchproof.compliance-model/v1') {
    throw siteError('SITE_MODEL_INVALID', `${file} is not a patchproof.compliance-model/v1 document (schema: ${JSON.stringify(schema)})`);
  }
  return value as ComplianceModel;
}

/** The indexed model for this build; throws SITE_MODEL_MISSING when the env var is not set. */
export function siteData(env: Record<string, string | undefined> = process.env): SiteData {
  const file = env[MODEL_ENV];
  if (!file) throw siteError('SITE_MODEL_MISSING', `${MODEL_ENV} is not set`);
  if (cache?.file === file) return cache.data;
  const data = indexModel(parseModel(readFileSync(file, 'utf8'), file));
  cache = { file, data };
  return data;
}

export function model(): ComplianceModel {
  return siteData().model;
}
