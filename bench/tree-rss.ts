// Peak resident memory of a process *and everything it starts* (worker threads live in the
// process; git, Pagefind and other children do not, and getrusage's maxRSS never counts them).
// Sampled from /proc: the sum of VmRSS over the process and its descendants, every few ms.
import { readFileSync } from 'node:fs';

const PAGE = 4096;

function children(pid: number): number[] {
  const out: number[] = [];
  let tids: string[];
  try {
    tids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
  } catch {
    return out;
  }
  for (const t of tids) if (t !== '') out.push(Number(t));
  return out;
}

function residentBytes(pid: number): number {
  try {
    const statm = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
    return Number(statm[1]) * PAGE;
  } catch {
    return 0;
  }
}

/** The current RSS sum over `pid` and its descendants, in bytes, and how many processes that was. */
export function treeRss(pid: number): { bytes: number; processes: number } {
  let bytes = 0;
  let processes = 0;
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop() as number;
    const b = residentBytes(p);
    if (b === 0) continue;
    bytes += b;
    processes += 1;
    stack.push(...children(p));
  }
  return { bytes, processes };
}

export interface TreeRssWatch {
  /** Stops sampling; the peak sum seen and the most processes seen at once. */
  stop(): { peakBytes: number; maxProcesses: number; samples: number };
}

/** Samples `treeRss(pid)` every `intervalMs` until stopped. Linux only (reads /proc). */
export function watchTreeRss(pid: number, intervalMs = 20): TreeRssWatch {
  let peakBytes = 0;
  let maxProcesses = 0;
  let samples = 0;
  const sample = () => {
    const r = treeRss(pid);
    samples += 1;
    if (r.bytes > peakBytes) peakBytes = r.bytes;
    if (r.processes > maxProcesses) maxProcesses = r.processes;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { peakBytes, maxProcesses, samples };
    },
  };
}

/**
 * This process's own peak resident memory in kB (VmHWM; worker threads included). Unlike
 * getrusage's maxRSS, which Linux carries over exec, it never reports the parent's size at fork
 * time: a child started by `npm run bench` after a big bench would otherwise inherit its figure.
 */
export function ownPeakRssKb(): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : process.resourceUsage().maxRSS;
}
