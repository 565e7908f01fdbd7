// Shared frame for bar and line charts: plot area, y gridlines with labels, x labels.
import type { ChartPoint, ChartSpec } from './chart-types.ts';
import { el, esc, FONT, GRID, INK, MUTED } from './svg.ts';

export const WIDTH = 640;
export const HEIGHT = 260;
export const PAD = { left: 48, right: 16, top: 16, bottom: 44 };
export const PLOT_W = WIDTH - PAD.left - PAD.right;
export const PLOT_H = HEIGHT - PAD.top - PAD.bottom;

/** A "nice" axis top: 1, 2 or 5 × 10^n at or above the max. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const pow = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * pow >= max) return m * pow;
  return 10 * pow;
}

export function yTop(spec: ChartSpec): number {
  if (spec.yMax !== undefined) return spec.yMax;
  return niceMax(Math.max(0, ...spec.points.map((p) => p.value ?? 0)));
}

/** Gridlines that land on whole numbers: 5 or 4 steps when they divide the top, else one per unit. */
export function tickCount(top: number): number {
  for (const n of [5, 4]) if (Number.isInteger(top / n)) return n;
  return top <= 5 && Number.isInteger(top) ? top : 4;
}

export const yOf = (value: number, top: number): number => PAD.top + PLOT_H - (value / top) * PLOT_H;

export function text(x: number, y: number, s: string, anchor: 'start' | 'middle' | 'end', size = 11, fill = MUTED): string {
  return el('text', { x, y, 'font-family': FONT, 'font-size': size, fill, 'text-anchor': anchor }, esc(s));
}

export function frame(spec: ChartSpec, top: number, xLabel: (p: ChartPoint, i: number) => { x: number; text: string } | null): string {
  const parts: string[] = [];
  const ticks = tickCount(top);
  for (let i = 0; i <= ticks; i++) {
    const v = (top / ticks) * i;
    const y = yOf(v, top);
    parts.push(el('line', { x1: PAD.left, y1: y, x2: WIDTH - PAD.right, y2: y, stroke: GRID, 'stroke-width': 1 }));
    const label = Number.isInteger(v) ? String(v) : v.toFixed(1);
    parts.push(text(PAD.left - 6, y + 4, label, 'end'));
  }
  parts.push(el('line', { x1: PAD.left, y1: PAD.top + PLOT_H, x2: WIDTH - PAD.right, y2: PAD.top + PLOT_H, stroke: INK, 'stroke-width': 1 }));
  spec.points.forEach((p, i) => {
    const l = xLabel(p, i);
    if (l) parts.push(text(l.x, PAD.top + PLOT_H + 16, l.text, 'middle'));
  });
  parts.push(text(PAD.left, HEIGHT - 6, spec.unit, 'start', 10));
  return parts.join('');
}

/** The <svg> wrapper with an accessible name and description. */
export function wrap(spec: ChartSpec, body: string): string {
  const t = `${spec.id}-title`;
  const d = `${spec.id}-desc`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-labelledby="${t} ${d}">` +
    `<title id="${t}">${esc(spec.title)}</title><desc id="${d}">${esc(spec.description)}</desc>` +
    el('rect', { x: 0, y: 0, width: WIDTH, height: HEIGHT, fill: '#ffffff' }) +
    body +
    '</svg>'
  );
}
