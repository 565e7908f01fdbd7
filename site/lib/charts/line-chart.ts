// Line chart over months (SLA adherence over time): a polyline per run of known values, a marker
// and its value at every point; months with nothing to measure are left as gaps.
import { frame, PAD, PLOT_W, text, wrap, yOf, yTop, HEIGHT, WIDTH } from './axes.ts';
import type { ChartSpec, RenderedChart } from './chart-types.ts';
import { BAR, el, INK, round } from './svg.ts';

export function lineChart(spec: ChartSpec): RenderedChart {
  const top = yTop(spec);
  const n = spec.points.length;
  const xOf = (i: number) => PAD.left + (n <= 1 ? PLOT_W / 2 : (PLOT_W * (i + 0.5)) / n);
  const runs: string[][] = [];
  let run: string[] = [];
  const marks: string[] = [];
  spec.points.forEach((p, i) => {
    if (p.value === null) {
      if (run.length) runs.push(run);
      run = [];
      return;
    }
    const x = xOf(i);
    const y = yOf(p.value, top);
    run.push(`${round(x)},${round(y)}`);
    marks.push(el('circle', { cx: x, cy: y, r: 3.5, fill: BAR }));
    marks.push(text(x, y - 8, p.value.toFixed(1), 'middle', 10, INK));
  });
  if (run.length) runs.push(run);
  const lines = runs.map((r) => (r.length > 1 ? el('polyline', { points: r.join(' '), fill: 'none', stroke: BAR, 'stroke-width': 2 }) : '')).join('');
  const every = Math.max(1, Math.ceil(n / 12));
  const axes = frame(spec, top, (p, i) => (i % every === 0 ? { x: xOf(i), text: p.label } : null));
  return { svg: wrap(spec, axes + lines + marks.join('')), width: WIDTH, height: HEIGHT };
}
