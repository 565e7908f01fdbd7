// The generated types must match the schemas they come from: regenerate and compare.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSchemaTypes } from '../../scripts/schema-types.ts';
import { check, SCHEMA_REFS, validator } from '../../evidence/schema.ts';

describe('schemas', () => {
  it('evidence/types.gen.ts is up to date (run `npm run gen:types`)', async () => {
    const current = readFileSync(new URL('../../evidence/types.gen.ts', import.meta.url), 'utf8');
    expect(current).toBe(await renderSchemaTypes());
  });

  it('every schema compiles in strict mode', () => {
    for (const name of Object.keys(SCHEMA_REFS) as Array<keyof typeof SCHEMA_REFS>) {
      expect(typeof validator(name)).toBe('function');
    }
  });

  it('refuses unknown fields and hostile strings in protocol messages', () => {
    expect(check('agentMessage', { type: 'hello', protocol: 1, agent_version: '0.1.0' })).toBeNull();
    expect(check('agentMessage', { type: 'hello', protocol: 1, agent_version: '0.1.0', extra: 1 })).not.toBeNull();
    expect(check('enrollRequest', { token: 'ppe_' + 'a'.repeat(30), hostname: '../etc', os: { id: 'debian' }, agent_version: '1' })).not.toBeNull();
    expect(check('enrollRequest', { token: 'ppe_' + 'a'.repeat(30), hostname: 'web-1.example.com', os: { id: 'debian' }, agent_version: '1' })).toBeNull();
    expect(check('enrollRequest', { token: 'ppe_' + 'a'.repeat(30), hostname: 'web\u0000', os: { id: 'debian' }, agent_version: '1' })).not.toBeNull();
  });
});
