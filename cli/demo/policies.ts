// The demo's policy folder (HOME/policies): the project's default policy set, plus a revision of
// the Patch Management Policy that takes effect in the middle of the simulated period — the
// older version is kept as <id>@<version>.mdx, as policies/README.md prescribes.
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

export const REVISED_POLICY = {
  id: 'patch-management',
  version: '2.1',
  effective: '2026-07-01',
  approvedAt: '2026-06-22',
  /** The change: High findings must be fixed in 7 days instead of 14. */
  high: { from: '14d', to: '7d' },
} as const;

const FRONT_MATTER_RE = /^---\n([\s\S]*?)\n---\n/;

/** Rewrites the current version's text into the revision (front matter + the SLA table row). */
export function reviseText(text: string): string {
  const fm = FRONT_MATTER_RE.exec(text);
  if (!fm) throw new Error('patch-management.mdx has no front matter');
  const data = parseYaml(fm[1]!) as { version: string; severity_classes?: { id: string; sla: string }[] };
  const high = data.severity_classes?.find((c) => c.id === 'high');
  if (!high || high.sla !== REVISED_POLICY.high.from) {
    throw new Error(`the default patch-management policy changed (high SLA ${high?.sla}); update cli/demo/policies.ts`);
  }
  let front = fm[1]!;
  const set = (key: string, value: string) => {
    const re = new RegExp(`^${key}: .*$`, 'm');
    front = re.test(front) ? front.replace(re, `${key}: ${value}`) : `${front}\n${key}: ${value}`;
  };
  set('version', `"${REVISED_POLICY.version}"`);
  set('supersedes', `"${data.version}"`);
  set('approved_at', `"${REVISED_POLICY.approvedAt}"`);
  set('effective', `"${REVISED_POLICY.effective}"`);
  front = front.replace(/(- id: high\n(?:.*\n)*?\s+sla: )14d/, `$1${REVISED_POLICY.high.to}`);
  let body = text.slice(fm[0].length);
  body = body.replace(/\| High \| High, Important \| 7\.0 – 8\.9 \| \*\*14 days\*\* \|/, '| High | High, Important | 7.0 – 8.9 | **7 days** |');
  const note = [
    '',
    `> **Revision ${REVISED_POLICY.version}** (effective ${REVISED_POLICY.effective}, simulated demo revision): after the`,
    `> Q2 review the remediation SLA for **High** findings was shortened from 14 to 7 days. Findings`,
    `> whose clock started before ${REVISED_POLICY.effective} are still measured against version ${data.version}.`,
    '',
  ].join('\n');
  body = body.replace(/^(# .*\n)/m, `$1${note}`);
  return `---\n${front}\n---\n${body}`;
}

/** Copies `fromDir`'s policies into `toDir` and adds the mid-period revision. */
export async function writeDemoPolicies(fromDir: string, toDir: string): Promise<{ files: string[] }> {
  await mkdir(toDir, { recursive: true });
  const names = (await readdir(fromDir)).filter((n) => n.endsWith('.mdx') || n === 'README.md');
  for (const n of names) if (n !== `${REVISED_POLICY.id}.mdx`) await copyFile(join(fromDir, n), join(toDir, n));
  const current = await readFile(join(fromDir, `${REVISED_POLICY.id}.mdx`), 'utf8');
  const oldVersion = (parseYaml(FRONT_MATTER_RE.exec(current)![1]!) as { version: string }).version;
  await writeFile(join(toDir, `${REVISED_POLICY.id}@${oldVersion}.mdx`), current);
  await writeFile(join(toDir, `${REVISED_POLICY.id}.mdx`), reviseText(current));
  return { files: (await readdir(toDir)).sort() };
}
