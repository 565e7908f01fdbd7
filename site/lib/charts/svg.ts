// Minimal SVG writing for charts: escaped text and attribute lists, plain presentation
// attributes only (no CSS), so the same markup renders in browsers, in print and in pdfmake.

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function el(name: string, attrs: Record<string, string | number>, body = ''): string {
  const a = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? round(v) : esc(v)}"`)
    .join('');
  return body === '' ? `<${name}${a}/>` : `<${name}${a}>${body}</${name}>`;
}

/** Two decimals at most, so output does not depend on floating-point noise. */
export function round(n: number): string {
  return String(Math.round(n * 100) / 100);
}

export const FONT = 'Helvetica, Arial, sans-serif';
export const INK = '#1f2933';
export const MUTED = '#52606d';
export const GRID = '#d9dee3';
export const BAR = '#2f5d8a';
