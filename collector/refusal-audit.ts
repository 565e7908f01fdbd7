// Every refusal reaches the audit log without a flood of them flooding it: a refusal is written
// on its own while its budgets allow (per key — a device — and for all refusals together); the
// rest, and rate-limited refusals (floods by nature), are counted and written as one
// `refusal.summary` entry per (action, code, actor, source, target) each summary window.
import type { AuditInput } from '../evidence/audit-log.ts';
import { actors, auditInput } from './audit.ts';
import type { Clock } from './clock.ts';
import type { CollectorMetrics } from './metrics.ts';
import { RateLimiter } from './rate-limit.ts';

export const SUMMARY_ACTION = 'refusal.summary';

export interface RefusalAuditOptions {
  /** Refusals written one by one per budget key (a device) per minute. */
  readonly perKeyPerMinute: number;
  /** Refusals written one by one per minute, all keys together. */
  readonly globalPerMinute: number;
  /** How often (real ms) the counted refusals are written as summaries. */
  readonly windowMs: number;
  /** Distinct summary groups kept per window; beyond it refusals fold into one group per action and code. */
  readonly maxGroups: number;
}

export interface RefusalAuditDeps {
  readonly clock: Clock;
  /** Commits audit entries (one group commit); resolves when durable. */
  readonly write: (entries: AuditInput[], label: string) => Promise<void>;
  readonly metrics: CollectorMetrics;
  readonly log: { warn: (obj: object, msg: string) => void };
  readonly options: RefusalAuditOptions;
}

interface Group {
  readonly sample: AuditInput;
  count: number;
  first: Date;
  last: Date;
  folded: boolean;
}

export class RefusalAudit {
  readonly #d: RefusalAuditDeps;
  readonly #perKey: RateLimiter;
  readonly #global: RateLimiter;
  #groups = new Map<string, Group>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(deps: RefusalAuditDeps) {
    this.#d = deps;
    this.#perKey = new RateLimiter(deps.clock, { perMinute: deps.options.perKeyPerMinute });
    this.#global = new RateLimiter(deps.clock, { perMinute: deps.options.globalPerMinute });
  }

  /** Writes `entry` on its own within the budgets (resolves when durable); otherwise counts it. */
  async refuse(entry: AuditInput, budgetKey?: string): Promise<void> {
    if ((budgetKey === undefined || this.#perKey.take(budgetKey)) && this.#global.take('all')) {
      await this.#d.write([entry], entry.action);
      return;
    }
    this.count(entry);
  }

  /** Counts a refusal for the next summary only (rate-limited refusals are never written one by one). */
  count(entry: AuditInput): void {
    this.#d.metrics.auditSuppressed.inc({ action: entry.action });
    const time = entry.time ?? this.#d.clock();
    let key = groupKey(entry);
    let group = this.#groups.get(key);
    if (!group && this.#groups.size >= this.#d.options.maxGroups) {
      // Many distinct sources at once: one group per action and code, without source or actor.
      key = `folded\u0000${entry.action}\u0000${entry.code ?? ''}`;
      group = this.#groups.get(key);
      if (!group) {
        group = { sample: auditInput({ actor: actors.anonymous(), action: entry.action, outcome: 'refused', time, ...(entry.code ? { code: entry.code } : {}) }), count: 0, first: time, last: time, folded: true };
        this.#groups.set(key, group);
      }
    }
    if (!group) {
      group = { sample: entry, count: 0, first: time, last: time, folded: false };
      this.#groups.set(key, group);
    }
    group.count++;
    if (time < group.first) group.first = time;
    if (time > group.last) group.last = time;
  }

  /** Refusals counted and not yet written. */
  get pending(): number {
    let n = 0;
    for (const g of this.#groups.values()) n += g.count;
    return n;
  }

  /** Writes one summary entry per group counted since the last flush (nothing when none). */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#flush());
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    if (this.#groups.size === 0) return;
    const groups = this.#groups;
    this.#groups = new Map();
    const now = this.#d.clock();
    const entries = [...groups.values()].map((g) => summaryEntry(g, now));
    try {
      await this.#d.write(entries, `refusal summary (${entries.length})`);
    } catch (err) {
      // Keep the counts for the next attempt rather than lose them.
      this.#d.log.warn({ err }, 'writing the refusal summary failed; kept for the next window');
      for (const [key, g] of groups) {
        const now = this.#groups.get(key);
        if (!now) this.#groups.set(key, g);
        else {
          now.count += g.count;
          if (g.first < now.first) now.first = g.first;
          if (g.last > now.last) now.last = g.last;
        }
      }
    }
  }

  /** Starts the summary timer (real time, unref'd). */
  start(): void {
    this.#timer ??= setInterval(() => void this.flush(), this.#d.options.windowMs);
    this.#timer.unref();
  }

  /** Stops the timer and writes what is counted. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}

function groupKey(e: AuditInput): string {
  return [e.action, e.code ?? '', e.actor.type, e.actor.id, e.source ?? '', e.target ? `${e.target.type}:${e.target.id}` : ''].join('\u0000');
}

function summaryEntry(g: Group, now: Date): AuditInput {
  const s = g.sample;
  return auditInput({
    actor: s.actor,
    action: SUMMARY_ACTION,
    outcome: 'refused',
    time: now,
    ...(s.source ? { source: s.source } : {}),
    ...(s.target ? { target: s.target } : {}),
    ...(s.code ? { code: s.code } : {}),
    details: { action: s.action, count: g.count, first_at: g.first.toISOString(), last_at: g.last.toISOString(), ...(g.folded ? { folded: true } : {}) },
  });
}
