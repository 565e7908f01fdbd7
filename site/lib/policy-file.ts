// Checks that the policy file rendered on the site is byte-for-byte the file the evaluation read
// (same sha256 as the model records), so the text an auditor reads is the text that was applied.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICIES_ENV } from './model.ts';
import type { Policy } from './model-types.ts';

export interface PolicyFileCheck {
  ok: boolean;
  message: string;
}

export function policyFileCheck(policy: Policy, dir = process.env[POLICIES_ENV] ?? 'policies'): PolicyFileCheck {
  let actual: string;
  try {
    actual = createHash('sha256').update(readFileSync(join(dir, policy.file))).digest('hex');
  } catch {
    return { ok: false, message: `The policy file ${policy.file} could not be read at build time; the text below may not be the one evaluated.` };
  }
  return actual === policy.sha256
    ? { ok: true, message: `The text below is the evaluated file: its sha256 matches the model (${policy.sha256.slice(0, 16)}…).` }
    : { ok: false, message: `Warning: the file on disk (sha256 ${actual.slice(0, 16)}…) differs from the evaluated one (${policy.sha256.slice(0, 16)}…).` };
}
