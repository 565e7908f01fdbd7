// Writes scenario hosts into a real evidence repository with the collector's git store: a home
// from initHome, then one signed commit per day holding that day's signed reports.
import { join } from 'node:path';
import YAML from 'yaml';
import { initHome, loadHome } from '../../evidence/home.ts';
import { reportFiles } from '../../evidence/report-envelope.ts';
import type { StoreFile } from '../../evidence/git-store.ts';
import type { ExceptionRecord, ReportEnvelope } from '../../evidence/types.gen.ts';
import { buildHost, type BuiltHost, type HostSpec } from './scenario.ts';

export interface ScenarioRepo {
  readonly home: string;
  readonly repo: string;
  readonly hosts: BuiltHost[];
}

function stepping(start: number): () => Date {
  let t = start;
  return () => new Date((t += 1000));
}

export interface RepoOptions {
  exceptionsOn?: string;
  simulated?: boolean;
  /** Day of the commit holding host.yaml and meta.yaml (default 2024-11-30, before every scenario). */
  enrolOn?: string;
}

export async function writeScenarioRepo(root: string, specs: readonly HostSpec[], exceptions: readonly ExceptionRecord[], opts: RepoOptions = {}): Promise<ScenarioRepo> {
  return writeHostsRepo(root, (fingerprint) => specs.map((s) => buildHost({ ...s, fingerprint })), exceptions, opts);
}

/** Like writeScenarioRepo for hosts built elsewhere; `build` gets the real collector key's fingerprint. */
export async function writeHostsRepo(root: string, build: (fingerprint: string) => BuiltHost[], exceptions: readonly ExceptionRecord[], opts: RepoOptions = {}): Promise<ScenarioRepo> {
  const enrolOn = opts.enrolOn ?? '2024-11-30';
  const clock = stepping(Date.parse(`${enrolOn}T00:00:00Z`));
  const home = join(root, 'home');
  await initHome({ home, org: 'Example Ltd', clock, ...(opts.simulated ? { simulated: true } : {}) });
  const loaded = await loadHome(home, { clock });
  const hosts = build(loaded.signer.fingerprint);
  const store = await loaded.openStore({ clock });
  const byDay = new Map<string, StoreFile[]>();
  const add = (day: string, f: StoreFile[]): void => void byDay.set(day, [...(byDay.get(day) ?? []), ...f]);
  for (const h of hosts) {
    const s = h.snapshot;
    add(enrolOn, [{ path: s.host_file.path, content: YAML.stringify(s.host) }]);
    if (s.meta) add(enrolOn, [{ path: `hosts/${s.host.host_id}/meta.yaml`, content: YAML.stringify(s.meta) }]);
    for (const r of s.reports) {
      // buildHost() keeps the whole envelope (a SnapshotReport needs only its judged facts).
      const files = await reportFiles(r.envelope as ReportEnvelope, loaded.signer, { packagesTsv: h.tsv.get(r.path) ?? null });
      add(r.envelope.received_at.slice(0, 10), files.files);
    }
  }
  if (exceptions.length > 0) add(opts.exceptionsOn ?? '2025-01-20', exceptions.map((e) => ({ path: `exceptions/${e.id}.yaml`, content: YAML.stringify(e) })));
  for (const day of [...byDay.keys()].sort()) await store.commit(byDay.get(day)!, { message: `evidence ${day}`, date: new Date(`${day}T07:00:00Z`) });
  await store.close();
  return { home, repo: loaded.paths.evidenceRepo, hosts };
}
