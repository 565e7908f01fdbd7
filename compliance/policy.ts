// One policy file: Markdown (MDX without JSX) with YAML front matter. The engine reads its SLA
// numbers from the same front matter the auditor reads on the site, so this parser is strict.
import { parse as parseYaml } from 'yaml';
import { sha256Hex } from '../evidence/hash.ts';
import { cmpError } from './errors.ts';
import { checkCompliance } from './model-schema.ts';
import { dateMs, durationHours } from './sla-time.ts';

export type SeverityClassId = 'critical' | 'high' | 'medium' | 'low';
export type Framework = 'soc2' | 'iso27001' | 'pci-dss' | 'hipaa';
export const SEVERITY_CLASS_IDS: readonly SeverityClassId[] = ['critical', 'high', 'medium', 'low'];

export interface PolicySeverityClass {
  readonly id: SeverityClassId;
  readonly label: string;
  readonly sla_hours: number;
  readonly definition: string;
  readonly vendor_labels: readonly string[];
  readonly cvss: { readonly min: number; readonly max: number } | undefined;
}

/** A parsed, validated policy version. Fields mirror the model's `policies[]` rows. */
export interface Policy {
  readonly id: string;
  readonly title: string;
  readonly version: string;
  readonly owner: string;
  readonly approved_by: string;
  readonly approved_at: string;
  readonly effective: string;
  readonly review_by: string;
  readonly supersedes: string | null;
  readonly scope: string;
  readonly file: string;
  readonly sha256: string;
  readonly body: string;
  readonly severity_classes: readonly PolicySeverityClass[];
  readonly unrated_class: SeverityClassId | null;
  readonly clock_start: 'fix-published' | 'first-detected' | null;
  readonly kernel_requires_reboot: boolean;
  readonly stale_after_hours: number | null;
  readonly evidence_cadence_hours: number | null;
  readonly unfixed_policy: 'report-only' | 'clock-from-detection' | null;
  readonly controls: readonly { readonly framework: Framework; readonly id: string }[];
}

interface FrontMatter {
  id: string; title: string; version: string; owner: string; approved_by: string; approved_at: string;
  effective: string; review_by: string; supersedes?: string | null; scope: string;
  severity_classes?: { id: SeverityClassId; label: string; sla: string; definition: string; vendor_labels?: string[]; cvss?: { min: number; max: number } }[];
  unrated_class?: SeverityClassId; clock_start?: 'fix-published' | 'first-detected'; kernel_requires_reboot?: boolean;
  stale_after?: string; evidence_cadence?: string; unfixed?: 'report-only' | 'clock-from-detection'; controls?: string[];
}

const FRONT_MATTER_RE = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

/** Splits "---\nyaml\n---\nbody"; throws CMP_POLICY_INVALID when there is no front matter. */
export function splitFrontMatter(text: string, file: string): { yaml: string; body: string } {
  const m = FRONT_MATTER_RE.exec(text.replace(/^\uFEFF/, ''));
  if (!m) throw cmpError('CMP_POLICY_INVALID', `${file}: no YAML front matter (the file must start with a --- line)`, { data: { file } });
  return { yaml: m[1] ?? '', body: m[2] ?? '' };
}

function fail(file: string, why: string): never {
  throw cmpError('CMP_POLICY_INVALID', `${file}: ${why}`, { data: { file, reason: why } });
}

function checkDates(fm: FrontMatter, file: string): void {
  for (const key of ['approved_at', 'effective', 'review_by'] as const) {
    if (Number.isNaN(dateMs(fm[key]))) fail(file, `${key} is not a real date: ${fm[key]}`);
  }
  if (dateMs(fm.review_by) <= dateMs(fm.effective)) fail(file, 'review_by must be after effective');
}

function checkClasses(fm: FrontMatter, file: string): void {
  const classes = fm.severity_classes ?? [];
  const ids = new Set<string>();
  for (const c of classes) {
    if (ids.has(c.id)) fail(file, `severity class ${c.id} is defined twice`);
    ids.add(c.id);
    if ((c.vendor_labels ?? []).length === 0 && c.cvss === undefined) fail(file, `severity class ${c.id} needs vendor_labels or a cvss range`);
    if (c.cvss && c.cvss.min > c.cvss.max) fail(file, `severity class ${c.id}: cvss.min > cvss.max`);
  }
  if (fm.unrated_class !== undefined && classes.length > 0 && !ids.has(fm.unrated_class)) {
    fail(file, `unrated_class ${fm.unrated_class} is not one of the severity classes`);
  }
}

function normalise(fm: FrontMatter, file: string, text: string, body: string): Policy {
  const hours = (d: string | undefined): number | null => (d === undefined ? null : durationHours(d));
  return {
    id: fm.id, title: fm.title, version: fm.version, owner: fm.owner, approved_by: fm.approved_by,
    approved_at: fm.approved_at, effective: fm.effective, review_by: fm.review_by,
    supersedes: fm.supersedes ?? null, scope: fm.scope.trim(), file, sha256: sha256Hex(text), body,
    severity_classes: (fm.severity_classes ?? []).map((c) => ({
      id: c.id, label: c.label, sla_hours: durationHours(c.sla), definition: c.definition.trim(),
      vendor_labels: [...(c.vendor_labels ?? [])], cvss: c.cvss ? { min: c.cvss.min, max: c.cvss.max } : undefined,
    })),
    unrated_class: fm.unrated_class ?? null,
    clock_start: fm.clock_start ?? null,
    kernel_requires_reboot: fm.kernel_requires_reboot ?? false,
    stale_after_hours: hours(fm.stale_after),
    evidence_cadence_hours: hours(fm.evidence_cadence),
    unfixed_policy: fm.unfixed ?? null,
    controls: (fm.controls ?? []).map((ref) => {
      const at = ref.indexOf(':');
      return { framework: ref.slice(0, at) as Framework, id: ref.slice(at + 1) };
    }),
  };
}

/** Parses and validates one policy file's text; `file` is its name relative to the policies folder. */
export function parsePolicy(text: string, file: string): Policy {
  const { yaml, body } = splitFrontMatter(text, file);
  let data: unknown;
  try {
    data = parseYaml(yaml, { schema: 'core', uniqueKeys: true });
  } catch (cause) {
    fail(file, `front matter is not valid YAML: ${(cause as Error).message.split('\n')[0]}`);
  }
  const problem = checkCompliance('policy', data);
  if (problem !== null) fail(file, `front matter does not match policy.schema.json: ${problem}`);
  const fm = data as FrontMatter;
  checkDates(fm, file);
  checkClasses(fm, file);
  return normalise(fm, file, text, body);
}

/** True for a policy that drives the SLA engine (it defines severity classes). */
export function isSlaPolicy(policy: Policy): boolean {
  return policy.severity_classes.length > 0;
}
