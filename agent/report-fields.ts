// The field patterns of evidence/schemas (common + protocol), mirrored so the agent can clean
// its output without loading ajv; test/agent/report-fields.test.ts checks them against the schema.

export const PATTERNS = {
  pkgToken: /^[A-Za-z0-9_][A-Za-z0-9._+~:^@%-]*$/,
  arch: /^[A-Za-z0-9_.-]{0,32}$/,
  hostname: /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/,
  osId: /^[a-z0-9._-]{1,64}$/,
  versionId: /^[A-Za-z0-9._~-]{0,64}$/,
  codename: /^[A-Za-z0-9._-]{0,64}$/,
  kernelRelease: /^[A-Za-z0-9._+~:-]{1,128}$/,
  advisory: /^[A-Za-z0-9][A-Za-z0-9_.:+~-]{0,63}$/,
  severity: /^[A-Za-z -]{0,32}$/,
  address: /^[0-9A-Fa-f.:]{2,45}$/,
  machineId: /^[0-9a-f]{32}$/,
  agentVersion: /^[0-9A-Za-z.+-]{1,32}$/,
  reportArch: /^[A-Za-z0-9_.-]{1,32}$/,
} as const;

export const LIMITS = {
  pkgToken: 256,
  label: 256,
  longText: 2048,
  hostname: 253,
  items: 20_000,
  warnings: 100,
  kernels: 64,
  rebootPackages: 512,
  addresses: 32,
  advisories: 256,
} as const;

export function isPkgToken(s: string | undefined | null): s is string {
  return typeof s === 'string' && s.length >= 1 && s.length <= LIMITS.pkgToken && PATTERNS.pkgToken.test(s);
}

export function isArch(s: string): boolean {
  return PATTERNS.arch.test(s);
}

const CONTROL = /[\u0000-\u001f\u007f]/g;

/** One line of free text: control characters become spaces, trimmed and cut to the label limit. */
export function cleanLabel(s: string, max: number = LIMITS.label): string {
  return s.replace(CONTROL, ' ').trim().slice(0, max).trim();
}

/** Free text for `longText` fields (commands, warning messages). */
export function cleanLongText(s: string): string {
  return cleanLabel(s, LIMITS.longText);
}

/** ISO 8601 UTC without milliseconds, the form every timestamp in a report takes. */
export function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
