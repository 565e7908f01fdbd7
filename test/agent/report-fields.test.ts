// The agent mirrors the schema's field patterns so it need not load ajv; this keeps the copies honest.
import { describe, expect, it } from 'vitest';
import { loadSchemaFile } from '../../evidence/schema.ts';
import { cleanLabel, isoSeconds, LIMITS, PATTERNS } from '../../agent/report-fields.ts';

const common = loadSchemaFile('common.schema.json').definitions as Record<string, any>;
const protocol = loadSchemaFile('protocol.schema.json').definitions as Record<string, any>;
const body = protocol.reportBody.properties;

describe('report-fields mirrors the schema', () => {
  it('patterns', () => {
    expect(PATTERNS.pkgToken.source).toBe(common.pkgToken.pattern);
    expect(PATTERNS.arch.source).toBe(common.package.properties.arch.pattern);
    expect(PATTERNS.arch.source).toBe(common.pending.properties.arch.pattern);
    expect(PATTERNS.hostname.source).toBe(common.hostname.pattern);
    expect(PATTERNS.osId.source).toBe(common.os.properties.id.pattern);
    expect(PATTERNS.osId.source).toBe(common.os.properties.id_like.items.pattern);
    expect(PATTERNS.versionId.source).toBe(common.os.properties.version_id.pattern);
    expect(PATTERNS.codename.source).toBe(common.os.properties.version_codename.pattern);
    expect(PATTERNS.codename.source).toBe(common.os.properties.variant_id.pattern);
    expect(PATTERNS.kernelRelease.source).toBe(common.kernel.properties.installed.items.pattern);
    expect(PATTERNS.advisory.source).toBe(common.pending.properties.advisories.items.pattern);
    expect(PATTERNS.severity.source).toBe(common.pending.properties.severity.pattern);
    expect(PATTERNS.address.source).toBe(body.addresses.items.pattern);
    expect(PATTERNS.machineId.source).toBe(body.machine_id.pattern);
    expect(PATTERNS.agentVersion.source).toBe(body.agent_version.pattern);
    expect(PATTERNS.reportArch.source).toBe(body.arch.pattern);
  });

  it('limits', () => {
    expect(LIMITS.pkgToken).toBe(common.pkgToken.maxLength);
    expect(LIMITS.label).toBe(common.label.maxLength);
    expect(LIMITS.longText).toBe(common.longText.maxLength);
    expect(LIMITS.hostname).toBe(common.hostname.maxLength);
    expect(LIMITS.items).toBe(body.packages.maxItems);
    expect(LIMITS.items).toBe(body.inventory_count.maximum);
    expect(LIMITS.warnings).toBe(body.warnings.maxItems);
    expect(LIMITS.kernels).toBe(common.kernel.properties.installed.maxItems);
    expect(LIMITS.rebootPackages).toBe(common.kernel.properties.reboot_packages.maxItems);
    expect(LIMITS.addresses).toBe(body.addresses.maxItems);
    expect(LIMITS.advisories).toBe(common.pending.properties.advisories.maxItems);
  });

  it('cleans free text and formats timestamps', () => {
    expect(cleanLabel('  a\tb\u0000c\n ')).toBe('a b c');
    expect(cleanLabel('x'.repeat(300))).toHaveLength(256);
    expect(isoSeconds(new Date('2026-05-09T07:29:19.123Z'))).toBe('2026-05-09T07:29:19Z');
  });
});
