// Collects the coded warnings of one collection: deduplicated, cleaned to the schema's text
// rules, and capped at the report's limit with a final AGT_WARNINGS_TRUNCATED entry.
import type { Warning } from '../evidence/types.gen.ts';
import type { AgtCode } from './errors.ts';
import { cleanLongText, LIMITS } from './report-fields.ts';

export class WarningList {
  readonly #items: Warning[] = [];
  readonly #seen = new Set<string>();
  #dropped = 0;

  add(code: AgtCode, message: string): void {
    const w = { code, message: cleanLongText(message) || code };
    const key = `${w.code}\u0000${w.message}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    if (this.#items.length < LIMITS.warnings - 1) this.#items.push(w);
    else this.#dropped++;
  }

  toArray(): Warning[] {
    // sorted: sources run concurrently, and the same host state should give the same report
    const out = [...this.#items].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
    if (this.#dropped > 0) out.push({ code: 'AGT_WARNINGS_TRUNCATED', message: `${this.#dropped} more warning(s) not shown` });
    return out;
  }
}
