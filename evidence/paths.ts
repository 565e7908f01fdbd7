// Repository paths: the only place evidence paths are built, and the gate every path passes
// before it is written. Host-supplied strings never become path segments; host ids are ours.
import { evdError } from './errors.ts';

export const HOST_ID_RE = /^h_[0-9a-f]{16}$/;
export const EXCEPTION_ID_RE = /^EXC-[0-9]{4,6}$/;
const SEGMENT_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const MAX_PATH_LENGTH = 512;

export function assertHostId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !HOST_ID_RE.test(id)) {
    throw evdError('EVD_HOST_ID_INVALID', `not a host id: ${JSON.stringify(String(id)).slice(0, 80)}`, { data: { host_id: String(id).slice(0, 80) } });
  }
}

/**
 * Validates a repository-relative path: "/"-separated segments of [A-Za-z0-9._-], none empty,
 * "." or "..", no leading "/" and nothing outside printable ASCII. Returns the path unchanged.
 */
export function assertRepoPath(path: unknown): string {
  const fail = (why: string): never => {
    throw evdError('EVD_PATH_INVALID', `refused path ${JSON.stringify(String(path)).slice(0, 120)}: ${why}`, {
      data: { path: String(path).slice(0, 200), reason: why },
    });
  };
  if (typeof path !== 'string') return fail('not a string');
  if (path.length === 0) return fail('empty');
  if (path.length > MAX_PATH_LENGTH) return fail('too long');
  if (path.includes('\0')) return fail('contains NUL');
  if (path.startsWith('/')) return fail('absolute');
  if (path.includes('\\')) return fail('contains a backslash');
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return fail(`bad segment "${segment}"`);
    if (!SEGMENT_RE.test(segment)) return fail(`bad characters in "${segment}"`);
  }
  return path;
}

/**
 * Under hosts/ the next segment is a host id and nothing else: a directory named otherwise would be
 * a host no collector enrolled, so it is refused on write (EVD_HOST_ID_INVALID) and flagged by verify.
 */
export function hostSegmentProblem(path: string): string | null {
  if (!path.startsWith('hosts/')) return null;
  const segment = path.slice('hosts/'.length).split('/')[0]!;
  return HOST_ID_RE.test(segment) ? null : segment;
}

/** Refuses a repository path under hosts/ whose host segment is not a host id. */
export function assertHostScopedPath(path: string): void {
  const segment = hostSegmentProblem(path);
  if (segment === null) return;
  throw evdError('EVD_HOST_ID_INVALID', `refused path ${JSON.stringify(path).slice(0, 120)}: "${segment.slice(0, 40)}" under hosts/ is not a host id`, {
    data: { path: path.slice(0, 200), host_id: segment.slice(0, 80) },
  });
}

export const repoPaths = {
  readme: 'README.md',
  keysYaml: 'keys/keys.yaml',
  key: (fingerprint: string): string => assertRepoPath(`keys/${fingerprint}.asc`),
  hostDir: (hostId: string): string => {
    assertHostId(hostId);
    return `hosts/${hostId}`;
  },
  hostYaml: (hostId: string): string => `${repoPaths.hostDir(hostId)}/host.yaml`,
  metaYaml: (hostId: string): string => `${repoPaths.hostDir(hostId)}/meta.yaml`,
  packagesTsv: (hostId: string): string => `${repoPaths.hostDir(hostId)}/packages.tsv`,
  /** hosts/<id>/reports/YYYY/MM/DD/<HHMMSS>Z-<seq>.json, dated by the collector's received_at (UTC). */
  report: (hostId: string, receivedAt: Date, seq: number): string => {
    if (!Number.isSafeInteger(seq) || seq < 1) throw evdError('EVD_PATH_INVALID', `bad seq ${seq}`);
    const iso = receivedAt.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
    const [y, m, d] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)];
    const hms = iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
    return `${repoPaths.hostDir(hostId)}/reports/${y}/${m}/${d}/${hms}Z-${String(seq).padStart(6, '0')}.json`;
  },
  signature: (path: string): string => `${assertRepoPath(path)}.asc`,
  exception: (id: string): string => {
    if (!EXCEPTION_ID_RE.test(id)) throw evdError('EVD_PATH_INVALID', `not an exception id: ${JSON.stringify(id).slice(0, 40)}`);
    return `exceptions/${id}.yaml`;
  },
  /** audit/YYYY/MM.jsonl for the entry's UTC month. */
  audit: (time: Date): string => {
    const iso = time.toISOString();
    return `audit/${iso.slice(0, 4)}/${iso.slice(5, 7)}.jsonl`;
  },
} as const;

const REPORT_PATH_RE = /^hosts\/(h_[0-9a-f]{16})\/reports\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{6})Z-(\d{6,})\.json$/;

/** Parses a report path back into its parts, or null when it is not one. */
export function parseReportPath(path: string): { hostId: string; seq: number; date: string } | null {
  const m = REPORT_PATH_RE.exec(path);
  if (!m) return null;
  const [, hostId, y, mo, d, hms] = m as unknown as [string, string, string, string, string, string, string];
  return { hostId, seq: Number(m[6]), date: `${y}-${mo}-${d}T${hms.slice(0, 2)}:${hms.slice(2, 4)}:${hms.slice(4, 6)}Z` };
}
