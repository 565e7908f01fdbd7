// A generic version order (epoch, then dpkg/rpm-style alternation of digit and non-digit runs,
// "~" before anything) used only to label a change upgrade or downgrade when the agent's log
// does not say. Judgement never relies on it: compliance/ compares versions per ecosystem.
function splitEpoch(v: string): [number, string] {
  const m = /^(\d+):(.*)$/.exec(v);
  return m ? [Number(m[1]), m[2] as string] : [0, v];
}

function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function compareNonDigit(a: string, b: string): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = order(a[i]) - order(b[i]);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function compareRest(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const na = /^[^0-9]*/.exec(a.slice(i))![0];
    const nb = /^[^0-9]*/.exec(b.slice(j))![0];
    const c = compareNonDigit(na, nb);
    if (c !== 0) return c;
    i += na.length;
    j += nb.length;
    const da = /^[0-9]*/.exec(a.slice(i))![0];
    const db = /^[0-9]*/.exec(b.slice(j))![0];
    const x = BigInt(da || '0');
    const y = BigInt(db || '0');
    if (x !== y) return x < y ? -1 : 1;
    i += da.length;
    j += db.length;
  }
  return 0;
}

/** -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
  const [ea, ra] = splitEpoch(a);
  const [eb, rb] = splitEpoch(b);
  if (ea !== eb) return ea < eb ? -1 : 1;
  return compareRest(ra, rb);
}
