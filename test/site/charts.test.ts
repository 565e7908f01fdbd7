// Build-time SVG charts: deterministic markup, accessible names, plain attributes only (so the
// same SVG prints and renders in pdfmake), gaps for months with nothing to measure.
import { describe, expect, it } from 'vitest';
import { barChart } from '../../site/lib/charts/bar-chart.ts';
import { lineChart } from '../../site/lib/charts/line-chart.ts';
import { niceMax } from '../../site/lib/charts/axes.ts';
import { overviewCharts } from '../../site/lib/charts/overview-charts.ts';
import { makeFixture } from './fixtures/make-model.ts';

const spec = {
  id: 'c1',
  title: 'Adherence <&> "quoted"',
  description: 'A test chart',
  unit: '%',
  yMax: 100,
  points: [
    { label: '2025-01', value: 90 },
    { label: '2025-02', value: null },
    { label: '2025-03', value: 70.25 },
    { label: '2025-04', value: 80 },
  ],
};

describe('charts', () => {
  it('line chart: escaped title, aria labelling, one polyline per run of known values', () => {
    const { svg } = lineChart(spec);
    expect(svg).toContain('<title id="c1-title">Adherence &lt;&amp;&gt; &quot;quoted&quot;</title>');
    expect(svg).toContain('role="img" aria-labelledby="c1-title c1-desc"');
    expect(svg.match(/<polyline /g)).toHaveLength(1);
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg).not.toMatch(/class=|style=/);
    expect(lineChart(spec).svg).toBe(svg);
  });

  it('bar chart: a bar and a value per bucket, axis rounded up to a nice number', () => {
    const { svg } = barChart({ ...spec, yMax: undefined, points: [{ label: '<=1d', value: 7 }, { label: '1-3d', value: 0 }, { label: '>90d', value: 13 }] });
    expect(svg.match(/<rect /g)).toHaveLength(4);
    expect(svg).toContain('>13</text>');
    expect(svg).toContain('>20</text>');
    expect(niceMax(13)).toBe(20);
    expect(niceMax(0)).toBe(1);
    expect(niceMax(101)).toBe(200);
  });

  it('overview charts come from the model metrics', () => {
    const { model } = makeFixture({ hosts: 5 });
    const charts = overviewCharts(model);
    expect(charts.map((c) => c.spec.id)).toEqual(['chart-adherence', 'chart-ttr', 'chart-open-age']);
    expect(charts[1]!.spec.points.map((p) => p.label)).toEqual(model.metrics.ttr_histogram.map((b) => b.bucket));
  });
});

describe('axis ticks', () => {
  it('land on whole numbers for counts and on quarters for percentages', async () => {
    const { tickCount } = await import('../../site/lib/charts/axes.ts');
    expect(tickCount(100)).toBe(5);
    expect(tickCount(5)).toBe(5);
    expect(tickCount(2)).toBe(2);
    expect(tickCount(1)).toBe(1);
    expect(tickCount(20)).toBe(5);
    expect(tickCount(200)).toBe(5);
  });
});
