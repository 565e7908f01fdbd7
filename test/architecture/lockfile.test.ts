// `npm ci` refuses a lock that lacks an optional dependency some package declares, even one
// for another platform; scripts/lock-placeholders.mjs fills the gaps the registry leaves.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface LockEntry { optionalDependencies?: Record<string, string> }

describe('package-lock.json', () => {
  it('records every optional dependency, so `npm ci` accepts it (run `npm run lock:placeholders`)', () => {
    const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as { packages: Record<string, LockEntry> };
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
        const nested = `${path === '' ? '' : path + '/'}node_modules/${dep}`;
        if (!lock.packages[nested] && !lock.packages[`node_modules/${dep}`]) missing.push(`${path || '(root)'} → ${dep}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
