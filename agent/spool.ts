// The spool: every report is on disk (0600, atomically) before it is sent and leaves only when
// the collector acknowledges it, so a crash, a kill -9 or a week offline loses nothing.
//
// Layout of DIR/spool/:  <seq:16 digits>.json   one report, body without packages
//                        inventory/<sha256>.json the package list an entry refers to (shared)
//                        rejected/<seq>.json     reports the collector refused for good, with why
//
// Bounded (entries and bytes). When full, a new report first supersedes the oldest spooled
// *heartbeat* — an entry with no history events whose state equals the entry before it, so it
// carries nothing but "still alive at T". If every entry carries a change, the new report is
// refused with AGT_SPOOL_FULL (the oldest evidence is worth more; the package log still holds
// the changes, and the next report's history starts from the last spooled collection).
// Either way the lost check-in is remembered (lost-checkins.json, or in memory when that cannot be
// written either) and the next report spooled carries it as a coded warning.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../evidence/canonical-json.ts';
import { sha256Hex } from '../evidence/hash.ts';
import { check } from '../evidence/schema.ts';
import type { Package } from '../evidence/types.gen.ts';
import { ensurePrivateDir, removeTempFiles, writeFileAtomic, type AtomicWrite } from './atomic-file.ts';
import { isLostCheckinCode, LostCheckins, withCarriedWarnings } from './lost-checkins.ts';
import type { CollectedBody } from './report-wire.ts';
import { agtError } from './transport-errors.ts';

export interface SpoolLimits {
  maxEntries: number;
  maxBytes: number;
}

export const SPOOL_DEFAULTS: Readonly<SpoolLimits> = Object.freeze({ maxEntries: 2000, maxBytes: 256 * 1024 * 1024 });
const MAX_REJECTED_KEPT = 100;
const ENTRY_RE = /^(\d{16})\.json$/;
const LOST_FILE = 'lost-checkins.json';

/** What is kept in memory per entry: enough to order, bound and coalesce without reading bodies. */
export interface SpoolItem {
  readonly seq: number;
  readonly report_id: string;
  readonly bytes: number;
  readonly inventory_sha256: string;
  /** sha256 of the facts that make a report a change (inventory, kernel, pending, OS, boot). */
  readonly state_key: string;
  /** History events and lost-check-in warnings carried: an entry with any is never superseded. */
  readonly events: number;
}

export interface SpooledReport {
  seq: number;
  report_id: string;
  spooled_at: string;
  state_key: string;
  /** As collected, minus `packages` (kept once per inventory hash in inventory/). */
  body: CollectedBody;
}

export interface NewReport {
  seq: number;
  report_id: string;
  spooled_at: string;
  body: CollectedBody & { packages: Package[] };
}

export interface SpoolOptions {
  limits?: Partial<SpoolLimits>;
  sync?: boolean;
  /** Injected for tests (a full disk); defaults to writeFileAtomic. Also writes lost-checkins.json. */
  write?: AtomicWrite;
}

export function seqFileName(seq: number): string {
  return `${String(seq).padStart(16, '0')}.json`;
}

export function stateKey(body: CollectedBody): string {
  const { inventory_sha256, kernel, pending, os, package_manager, arch, hostname, boot_time } = body;
  return sha256Hex(canonicalJson({ inventory_sha256, kernel, pending, os, package_manager, arch, hostname, boot_time: boot_time ?? null }));
}

export class Spool {
  readonly dir: string;
  readonly limits: SpoolLimits;
  readonly #sync: boolean;
  readonly #write: AtomicWrite;
  #items: SpoolItem[] = [];
  #inventory = new Map<string, number>(); // sha -> bytes on disk
  #lost!: LostCheckins;

  private constructor(dir: string, options: SpoolOptions) {
    this.dir = dir;
    this.limits = { ...SPOOL_DEFAULTS, ...options.limits };
    this.#sync = options.sync ?? true;
    this.#write = options.write ?? writeFileAtomic;
  }

  /** Check-ins not recorded since the last report that was: carried by the next one. */
  get lost(): LostCheckins {
    return this.#lost;
  }

  /** Opens (creating 0700 directories), deletes partial temp files and unreferenced inventories. */
  static async open(dir: string, options: SpoolOptions = {}): Promise<Spool> {
    const spool = new Spool(dir, options);
    for (const d of [dir, spool.#inventoryDir, spool.#rejectedDir]) {
      await ensurePrivateDir(d);
      await removeTempFiles(d);
    }
    spool.#lost = await LostCheckins.load(join(dir, LOST_FILE), { write: spool.#write, sync: spool.#sync });
    for (const name of (await fsp.readdir(dir)).sort()) {
      if (!ENTRY_RE.test(name)) continue;
      const text = await fsp.readFile(join(dir, name), 'utf8');
      let entry: SpooledReport;
      try {
        entry = JSON.parse(text) as SpooledReport;
      } catch (cause) {
        throw agtError('AGT_STATE_INVALID', `spool entry ${name} is not JSON`, { cause, data: { file: join(dir, name) } });
      }
      spool.#items.push(itemOf(entry, Buffer.byteLength(text)));
    }
    const referenced = new Set(spool.#items.map((i) => i.inventory_sha256));
    for (const name of await fsp.readdir(spool.#inventoryDir)) {
      const sha = name.replace(/\.json$/, '');
      if (!referenced.has(sha)) await fsp.rm(join(spool.#inventoryDir, name), { force: true });
      else spool.#inventory.set(sha, (await fsp.stat(join(spool.#inventoryDir, name))).size);
    }
    return spool;
  }

  get #inventoryDir(): string {
    return join(this.dir, 'inventory');
  }

  get #rejectedDir(): string {
    return join(this.dir, 'rejected');
  }

  /** Unacknowledged entries in seq order. */
  entries(): readonly SpoolItem[] {
    return this.#items;
  }

  get bytes(): number {
    let total = 0;
    for (const i of this.#items) total += i.bytes;
    for (const b of this.#inventory.values()) total += b;
    return total;
  }

  maxSeq(): number {
    return this.#items.at(-1)?.seq ?? 0;
  }

  /**
   * Writes a report (inventory first, then the entry, each atomically), with the warnings of any
   * check-ins lost before it. Returns the seqs of heartbeats it superseded. Throws
   * AGT_REPORT_INVALID, AGT_SPOOL_FULL or AGT_SPOOL_WRITE_FAILED; the last two are remembered as
   * a lost check-in for the next report to carry.
   */
  async add(report: NewReport): Promise<{ superseded: number[] }> {
    const carried = this.#lost.warnings();
    const full = carried.length === 0 ? report.body : { ...report.body, warnings: withCarriedWarnings(report.body.warnings, carried) };
    const problem = check('reportBody', full);
    if (problem !== null) throw agtError('AGT_REPORT_INVALID', `report ${report.seq} does not match the protocol: ${problem}`, { data: { seq: report.seq } });
    if (report.seq <= this.maxSeq()) throw new RangeError(`spool seq must increase (${report.seq} after ${this.maxSeq()})`);
    try {
      const result = await this.#addChecked(report, full);
      await this.#lost.clear();
      return result;
    } catch (err) {
      const e = err as { code?: string; data?: Record<string, unknown> };
      if (e.code === 'AGT_SPOOL_FULL') {
        await this.#lost.record('AGT_SPOOL_FULL', report.spooled_at, `${e.data?.entries} reports, ${e.data?.bytes} bytes, every one a change`);
      } else if (e.code === 'AGT_SPOOL_WRITE_FAILED') {
        await this.#lost.record('AGT_SPOOL_WRITE_FAILED', report.spooled_at, String(e.data?.errno ?? (err as Error).message));
      }
      throw err;
    }
  }

  async #addChecked(report: NewReport, fullBody: NewReport['body']): Promise<{ superseded: number[] }> {
    const { packages, ...body } = fullBody;
    const entry: SpooledReport = { seq: report.seq, report_id: report.report_id, spooled_at: report.spooled_at, state_key: stateKey(body), body };
    const text = JSON.stringify(entry) + '\n';
    const sha = body.inventory_sha256;
    const inventoryText = JSON.stringify(packages) + '\n';
    // Superseding may delete the last entry sharing this inventory, so "needed" is asked again each round.
    const needed = () => Buffer.byteLength(text) + (this.#inventory.has(sha) ? 0 : Buffer.byteLength(inventoryText));

    const superseded = await this.#makeRoom(needed, report.seq);
    try {
      if (!this.#inventory.has(sha)) {
        await this.#write(join(this.#inventoryDir, `${sha}.json`), inventoryText, { mode: 0o600, sync: this.#sync });
        this.#inventory.set(sha, Buffer.byteLength(inventoryText));
      }
      await this.#write(join(this.dir, seqFileName(report.seq)), text, { mode: 0o600, sync: this.#sync });
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      throw agtError('AGT_SPOOL_WRITE_FAILED', `could not spool report ${report.seq}: ${code ?? (cause as Error).message}`, {
        cause,
        data: { seq: report.seq, errno: code ?? null },
      });
    }
    this.#items.push(itemOf(entry, Buffer.byteLength(text)));
    return { superseded };
  }

  async #makeRoom(needed: () => number, seq: number): Promise<number[]> {
    const superseded: number[] = [];
    const full = () => this.#items.length + 1 > this.limits.maxEntries || this.bytes + needed() > this.limits.maxBytes;
    while (full()) {
      const i = this.#items.findIndex((item, k) => k > 0 && item.events === 0 && item.state_key === this.#items[k - 1]!.state_key);
      if (i < 0) {
        throw agtError('AGT_SPOOL_FULL', `spool full (${this.#items.length} reports, ${this.bytes} bytes, every one a change): report ${seq} not recorded`, {
          data: { entries: this.#items.length, bytes: this.bytes, ...this.limits },
        });
      }
      superseded.push(this.#items[i]!.seq);
      await this.remove(this.#items[i]!.seq);
    }
    return superseded;
  }

  async read(seq: number): Promise<SpooledReport> {
    const text = await fsp.readFile(join(this.dir, seqFileName(seq)), 'utf8');
    return JSON.parse(text) as SpooledReport;
  }

  /** The package list for an inventory hash held by some entry, or null. */
  async packages(sha: string): Promise<Package[] | null> {
    if (!this.#inventory.has(sha)) return null;
    return JSON.parse(await fsp.readFile(join(this.#inventoryDir, `${sha}.json`), 'utf8')) as Package[];
  }

  has(seq: number): boolean {
    return this.#items.some((i) => i.seq === seq);
  }

  /** Deletes an entry (acknowledged or superseded) and inventories no entry needs any more. */
  async remove(seq: number): Promise<void> {
    const item = this.#items.find((i) => i.seq === seq);
    if (!item) return;
    await fsp.rm(join(this.dir, seqFileName(seq)), { force: true });
    this.#items = this.#items.filter((i) => i !== item);
    if (!this.#items.some((i) => i.inventory_sha256 === item.inventory_sha256)) {
      await fsp.rm(join(this.#inventoryDir, `${item.inventory_sha256}.json`), { force: true });
      this.#inventory.delete(item.inventory_sha256);
    }
  }

  /** Moves an entry the collector will never accept to rejected/, with the reason; keeps the last 100. */
  async reject(seq: number, reason: { code: string; message: string }, at: Date): Promise<void> {
    if (!this.has(seq)) return;
    const report = await this.read(seq);
    const record = { rejected_at: at.toISOString(), code: reason.code, message: reason.message, report };
    await this.#write(join(this.#rejectedDir, seqFileName(seq)), JSON.stringify(record) + '\n', { mode: 0o600, sync: this.#sync }).catch(() => {});
    await this.remove(seq);
    const kept = (await fsp.readdir(this.#rejectedDir)).filter((n) => ENTRY_RE.test(n)).sort();
    for (const old of kept.slice(0, Math.max(0, kept.length - MAX_REJECTED_KEPT))) await fsp.rm(join(this.#rejectedDir, old), { force: true });
  }

  async rejected(): Promise<Array<{ rejected_at: string; code: string; message: string; report: SpooledReport }>> {
    const names = (await fsp.readdir(this.#rejectedDir)).filter((n) => ENTRY_RE.test(n)).sort();
    return Promise.all(names.map(async (n) => JSON.parse(await fsp.readFile(join(this.#rejectedDir, n), 'utf8'))));
  }
}

function itemOf(entry: SpooledReport, bytes: number): SpoolItem {
  return {
    seq: entry.seq,
    report_id: entry.report_id,
    bytes,
    inventory_sha256: entry.body.inventory_sha256,
    state_key: entry.state_key,
    events: entry.body.history.length + entry.body.warnings.filter((w) => isLostCheckinCode(w.code)).length,
  };
}
