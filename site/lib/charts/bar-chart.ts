// Vertical bar chart (histograms: time to remediate, open findings by age), values on the bars.
import { frame, PAD, PLOT_H, PLOT_W, text, wrap, yOf, yTop, HEIGHT, WIDTH } from './axes.ts';
import type { ChartSpec, RenderedChart } from './chart-types.ts';
import { BAR, el, INK } from './svg.ts';

export function barChart(spec: ChartSpec): RenderedChart {
  const top = yTop(spec);
  const n = Math.max(1, spec.points.length);
  const slot = PLOT_W / n;
  const barW = Math.min(56, slot * 0.7);
  const bars = spec.points
    .map((p, i) => {
      const v = p.value ?? 0;
      const x = PAD.left + slot * i + (slot - barW) / 2;
      const y = yOf(v, top);
      const h = PAD.top + PLOT_H - y;
      return el('rect', { x, y, width: barW, height: Math.max(h, 0), fill: BAR }) + text(x + barW / 2, y - 4, p.value === null ? '—' : String(v), 'middle', 11, INK);
    })
    .join('');
  const axes = frame(spec, top, (p, i) => ({ x: PAD.left + slot * i + slot / 2, text: p.label }));
  return { svg: wrap(spec, axes + bars), width: WIDTH, height: HEIGHT };
}
