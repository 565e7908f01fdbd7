// Crawls a served site from "/" over HTTP: every internal href/src of every HTML page, fetched
// once; reports what did not answer 200 and fragments whose id is missing on the target page.
export interface CrawlResult {
  pages: string[];
  checked: Map<string, number>;
  broken: string[];
}

const ATTR = /\s(?:href|src)="([^"]+)"/g;

export async function crawl(base: string): Promise<CrawlResult> {
  const queue = ['/'];
  const seen = new Set<string>(queue);
  const html = new Map<string, string>();
  const checked = new Map<string, number>();
  const broken: string[] = [];
  const fragments: Array<{ from: string; path: string; id: string }> = [];
  while (queue.length > 0) {
    const path = queue.shift() as string;
    const res = await fetch(`${base}${path}`);
    checked.set(path, res.status);
    if (res.status !== 200) {
      broken.push(`${path} → ${res.status}`);
      await res.arrayBuffer();
      continue;
    }
    if (!(res.headers.get('content-type') ?? '').startsWith('text/html')) {
      await res.arrayBuffer();
      continue;
    }
    const body = await res.text();
    html.set(path, body);
    for (const m of body.matchAll(ATTR)) {
      const raw = (m[1] as string).replace(/&amp;/g, '&');
      if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) continue; // other schemes and absolute URLs are not ours
      const url = new URL(raw, `${base}${path}`);
      if (url.hash) fragments.push({ from: path, path: url.pathname, id: decodeURIComponent(url.hash.slice(1)) });
      if (!seen.has(url.pathname)) {
        seen.add(url.pathname);
        queue.push(url.pathname);
      }
    }
  }
  for (const f of fragments) {
    const page = html.get(f.path);
    if (page !== undefined && !page.includes(`id="${f.id}"`)) broken.push(`${f.from} → ${f.path}#${f.id}`);
  }
  return { pages: [...html.keys()], checked, broken };
}
