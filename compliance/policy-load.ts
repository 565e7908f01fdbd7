// Reads a policies folder: every *.mdx file is one policy version. The current version of a
// policy is <id>.mdx; earlier versions are kept as <id>@<version>.mdx (see policies/README.md).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cmpError } from './errors.ts';
import { parsePolicy, type Policy } from './policy.ts';

const FILE_RE = /^([a-z0-9][a-z0-9-]{0,63})(?:@([0-9]+(?:\.[0-9]+){0,2}))?\.mdx$/;

/** Checks that a file's name agrees with its front matter, so archived versions cannot be mixed up. */
export function checkPolicyFileName(policy: Policy): void {
  const m = FILE_RE.exec(policy.file);
  if (!m) {
    throw cmpError('CMP_POLICY_INVALID', `${policy.file}: policy files are named <id>.mdx or <id>@<version>.mdx`, { data: { file: policy.file } });
  }
  if (m[1] !== policy.id) {
    throw cmpError('CMP_POLICY_INVALID', `${policy.file}: front matter id is ${policy.id}, the file name says ${m[1]}`, { data: { file: policy.file } });
  }
  if (m[2] !== undefined && m[2] !== policy.version) {
    throw cmpError('CMP_POLICY_INVALID', `${policy.file}: front matter version is ${policy.version}, the file name says ${m[2]}`, { data: { file: policy.file } });
  }
}

/** Parses policy texts given as {file: text} (pure; used by tests and by loadPolicies). */
export function parsePolicyFiles(files: Readonly<Record<string, string>>): Policy[] {
  return Object.keys(files)
    .sort()
    .map((file) => {
      const policy = parsePolicy(files[file] as string, file);
      checkPolicyFileName(policy);
      return policy;
    });
}

/** Reads every *.mdx policy in `dir` (not recursive); README and other files are ignored. */
export function loadPolicies(dir: string): Policy[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.mdx'));
  } catch (cause) {
    throw cmpError('CMP_POLICY_NOT_FOUND', `cannot read policies folder ${dir}: ${(cause as Error).message}`, { cause, data: { dir } });
  }
  const files: Record<string, string> = {};
  for (const name of names) files[name] = readFileSync(path.join(dir, name), 'utf8');
  return parsePolicyFiles(files);
}

/** The project's default policy set (policies/ next to compliance/). */
export function defaultPoliciesDir(): string {
  return fileURLToPath(new URL('../policies/', import.meta.url));
}
