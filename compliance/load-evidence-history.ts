// One pass over the evidence repository's history for load-evidence.ts: a diff of tree object ids
// between consecutive commits, descending only into subtrees that changed. It yields the commit
// that last changed every file under hosts/ and every version of each host's packages.tsv.
import type { CommitInfo, EvidenceReader } from '../evidence/reader.ts';

export interface HistoryProgress {
  readonly done: number;
  readonly total: number;
}

export interface InventoryBlob {
  readonly oid: string;
  readonly commit: string;
}

export interface HostsHistory {
  /** Path → the last commit (up to the judged one) that added or changed it; signatures left out. */
  readonly lastChanged: Map<string, string>;
  /** Host id → every blob its packages.tsv has had, oldest first. */
  readonly inventories: Map<string, InventoryBlob[]>;
}

const INVENTORY = /^hosts\/(h_[0-9a-f]{16})\/packages\.tsv$/;

export function hostsHistory(reader: EvidenceReader, commits: readonly CommitInfo[], onProgress?: (p: HistoryProgress) => void): HostsHistory {
  const lastChanged = new Map<string, string>();
  const inventories = new Map<string, InventoryBlob[]>();
  const record = (path: string, oid: string, commit: string): void => {
    lastChanged.set(path, commit);
    const m = INVENTORY.exec(path);
    if (!m) return;
    const list = inventories.get(m[1] as string);
    if (list) list.push({ oid, commit });
    else inventories.set(m[1] as string, [{ oid, commit }]);
  };
  const walk = (dir: string, cur: string, prev: string | null, commit: string): void => {
    const before = new Map(prev === null ? [] : reader.odb.tree(prev).map((e) => [e.name, e.oid]));
    for (const e of reader.odb.tree(cur)) {
      const old = before.get(e.name);
      if (old === e.oid) continue;
      const path = `${dir}/${e.name}`;
      if (e.mode === '40000') walk(path, e.oid, old ?? null, commit);
      else if (!e.name.endsWith('.asc')) record(path, e.oid, commit);
    }
  };
  const hostsTree = (tree: string): string | null => reader.odb.tree(tree).find((e) => e.name === 'hosts' && e.mode === '40000')?.oid ?? null;
  let prev: string | null = null;
  commits.forEach((c, i) => {
    const cur = hostsTree(c.tree);
    if (cur !== null && cur !== prev) walk('hosts', cur, prev, c.commit);
    prev = cur;
    if ((i + 1) % 500 === 0 || i + 1 === commits.length) onProgress?.({ done: i + 1, total: commits.length });
  });
  return { lastChanged, inventories };
}
