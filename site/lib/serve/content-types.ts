// Content types for the files a built site contains (pages, assets, search index, evidence,
// signatures, packs, exports). Unknown extensions are served as opaque bytes.

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.csv': 'text/csv; charset=utf-8',
  '.asc': 'text/plain; charset=utf-8',
  '.yaml': 'text/plain; charset=utf-8',
  '.tsv': 'text/plain; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Files without an extension that are known text (checksum lists). */
const NAMES: Record<string, string> = {
  SHA256SUMS: 'text/plain; charset=utf-8',
};

export function contentType(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (NAMES[name]) return NAMES[name];
  const dot = name.lastIndexOf('.');
  return (dot >= 0 && TYPES[name.slice(dot).toLowerCase()]) || 'application/octet-stream';
}
