// A small static file server for a built site: GET/HEAD only, paths confined to the site folder
// (no "..", no NUL, no escaping symlinks), directory URLs served from index.html, 404.html for
// anything else. Built as a function so tests call it without the CLI; the CLI binds 127.0.0.1.
import { createReadStream, realpathSync, statSync, type Stats } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join, sep } from 'node:path';
import { contentType } from './content-types.ts';

export interface StaticServerOptions {
  /** The built site's folder. */
  root: string;
}

const HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'",
};

/** Decoded, normalised URL path as repository-style segments, or null when it must be refused. */
export function safeSegments(urlPath: string): string[] | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) return null;
  return segments;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

export function createStaticServer(opts: StaticServerOptions): Server {
  const root = realpathSync(opts.root);
  const inside = (p: string) => p === root || p.startsWith(root + sep);

  function send(res: ServerResponse, req: IncomingMessage, status: number, file: string, stats: Stats): void {
    res.writeHead(status, { ...HEADERS, 'Content-Type': contentType(file), 'Content-Length': stats.size, 'Cache-Control': 'no-cache' });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  }

  function plain(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
    res.writeHead(status, { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...extra });
    res.end(text);
  }

  function notFound(req: IncomingMessage, res: ServerResponse): void {
    const page = join(root, '404.html');
    const stats = statOrNull(page);
    if (stats?.isFile()) send(res, req, 404, page, stats);
    else plain(res, 404, 'not found\n');
  }

  return createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      plain(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    const rawPath = (req.url ?? '/').split('?')[0]?.split('#')[0] ?? '/';
    const segments = safeSegments(rawPath);
    if (segments === null) {
      plain(res, 400, 'bad path\n');
      return;
    }
    let file = join(root, ...segments);
    let stats = statOrNull(file);
    if (stats?.isDirectory()) {
      if (!rawPath.endsWith('/')) {
        res.writeHead(301, { ...HEADERS, Location: `${rawPath}/` });
        res.end();
        return;
      }
      file = join(file, 'index.html');
      stats = statOrNull(file);
    }
    if (!stats?.isFile()) {
      notFound(req, res);
      return;
    }
    let real: string;
    try {
      real = realpathSync(file);
    } catch {
      notFound(req, res);
      return;
    }
    if (!inside(real)) {
      notFound(req, res);
      return;
    }
    send(res, req, 200, real, stats);
  });
}
