// The agent's version for `agent_version`: package.json's version, inlined at bundle time by
// scripts/build-agent.ts (the bundle ships without package.json), read from disk when run from source.
import { readFileSync } from 'node:fs';
import { PATTERNS } from './report-fields.ts';

declare const PATCHPROOF_AGENT_VERSION: string | undefined;

let cached: string | undefined;

export function agentVersion(): string {
  if (cached !== undefined) return cached;
  let v = typeof PATCHPROOF_AGENT_VERSION === 'string' ? PATCHPROOF_AGENT_VERSION : '';
  if (v === '') {
    try {
      v = String((JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown }).version ?? '');
    } catch {
      v = '';
    }
  }
  cached = PATTERNS.agentVersion.test(v) ? v : '0.0.0-unknown';
  return cached;
}

/** The same, as a constant (read once when the module loads). */
export const AGENT_VERSION: string = agentVersion();
