// Which policy version was in force when: versions of one policy are ordered by `effective`,
// each in force until the next one's effective date. The SLA engine asks for the version in
// force at each finding's clock start, and the host checks for the versions over each stretch of
// time (cadence per day, stale threshold per silence), so a mid-period revision applies only from its date on.
import { cmpError } from './errors.ts';
import { isSlaPolicy, type Policy } from './policy.ts';
import { DAY_MS, dateMs, isoDate, type PeriodBounds } from './sla-time.ts';

export interface PolicyVersionInForce {
  readonly policy: Policy;
  readonly fromMs: number;
  /** Exclusive end: the next version's effective date, or +Infinity. */
  readonly untilMs: number;
  /** Dates (inclusive) within the period, null when not in force during it. */
  readonly in_force: { readonly from: string | null; readonly to: string | null };
}

export interface PolicySet {
  /** Every version of every policy, sorted by id then effective. */
  readonly all: readonly PolicyVersionInForce[];
  /** The versions of the policy that drives the SLA engine, oldest first. */
  readonly sla: readonly PolicyVersionInForce[];
}

function inForce(fromMs: number, untilMs: number, bounds: PeriodBounds): PolicyVersionInForce['in_force'] {
  const from = Math.max(fromMs, bounds.startMs);
  const to = Math.min(untilMs, bounds.asOfMs);
  if (to <= from) return { from: null, to: null };
  return { from: isoDate(from), to: isoDate(to - DAY_MS) };
}

function timeline(versions: Policy[], bounds: PeriodBounds): PolicyVersionInForce[] {
  const sorted = [...versions].sort((a, b) => dateMs(a.effective) - dateMs(b.effective));
  for (let i = 1; i < sorted.length; i++) {
    const [prev, cur] = [sorted[i - 1] as Policy, sorted[i] as Policy];
    if (prev.effective === cur.effective || prev.version === cur.version) {
      throw cmpError('CMP_POLICY_INVALID', `${cur.file} and ${prev.file}: two versions of ${cur.id} with the same effective date or version`, {
        data: { files: [prev.file, cur.file] },
      });
    }
  }
  return sorted.map((policy, i) => {
    const fromMs = dateMs(policy.effective);
    const next = sorted[i + 1];
    const untilMs = next ? dateMs(next.effective) : Number.POSITIVE_INFINITY;
    return { policy, fromMs, untilMs, in_force: inForce(fromMs, untilMs, bounds) };
  });
}

/** Groups versions per policy id and picks the one policy (id) with severity classes. */
export function buildPolicySet(policies: readonly Policy[], bounds: PeriodBounds): PolicySet {
  const byId = new Map<string, Policy[]>();
  for (const p of policies) byId.set(p.id, [...(byId.get(p.id) ?? []), p]);
  const all: PolicyVersionInForce[] = [];
  const slaIds: string[] = [];
  for (const id of [...byId.keys()].sort()) {
    const versions = timeline(byId.get(id) as Policy[], bounds);
    all.push(...versions);
    if (versions.some((v) => isSlaPolicy(v.policy))) slaIds.push(id);
  }
  if (slaIds.length === 0) throw cmpError('CMP_POLICY_NOT_FOUND', 'no policy defines severity_classes, so there are no SLA numbers to judge against');
  if (slaIds.length > 1) {
    throw cmpError('CMP_POLICY_INVALID', `more than one policy defines severity_classes (${slaIds.join(', ')}); exactly one policy sets the SLA numbers`, {
      data: { policies: slaIds },
    });
  }
  const sla = all.filter((v) => v.policy.id === slaIds[0]);
  for (const v of sla) {
    if (!isSlaPolicy(v.policy)) throw cmpError('CMP_POLICY_INVALID', `${v.policy.file}: every version of the SLA policy needs severity_classes`);
  }
  return { all, sla };
}

/** The SLA policy version in force at `ms`; before the first version's effective date, the first. */
export function slaPolicyAt(set: PolicySet, ms: number): Policy {
  let chosen = set.sla[0] as PolicyVersionInForce;
  for (const v of set.sla) if (v.fromMs <= ms) chosen = v;
  return chosen.policy;
}

/** A stretch of time during which one SLA policy version was in force. */
export interface PolicySpan {
  readonly policy: Policy;
  readonly fromMs: number;
  /** Exclusive. */
  readonly untilMs: number;
}

/**
 * The SLA policy versions in force over [fromMs, untilMs), oldest first, each clipped to it (the
 * first version also covers any time before its effective date, as slaPolicyAt does).
 */
export function slaSpans(set: PolicySet, fromMs: number, untilMs: number): PolicySpan[] {
  const out: PolicySpan[] = [];
  set.sla.forEach((v, i) => {
    const start = Math.max(i === 0 ? Number.NEGATIVE_INFINITY : v.fromMs, fromMs);
    const end = Math.min(v.untilMs, untilMs);
    if (end > start) out.push({ policy: v.policy, fromMs: start, untilMs: end });
  });
  return out;
}
