// The three charts of the overview page and the packs' executive summary, from the model's metrics.
import type { ComplianceModel } from '../model-types.ts';
import { barChart } from './bar-chart.ts';
import type { ChartSpec, RenderedChart } from './chart-types.ts';
import { lineChart } from './line-chart.ts';

export interface OverviewChart {
  spec: ChartSpec;
  chart: RenderedChart;
}

export function overviewCharts(model: ComplianceModel): OverviewChart[] {
  const m = model.metrics;
  const adherence: ChartSpec = {
    id: 'chart-adherence',
    title: 'SLA adherence over time',
    description: `Share of findings with an SLA clock that were fixed or still open within their SLA, as of the end of each month from ${model.period.start} to ${model.period.end}.`,
    points: m.adherence_over_time.map((p) => ({ label: p.month, value: p.adherence_pct })),
    unit: '% of findings within SLA',
    yMax: 100,
  };
  const ttr: ChartSpec = {
    id: 'chart-ttr',
    title: 'Time to remediate',
    description: 'Number of findings remediated in the period, by time from SLA clock start to remediation.',
    points: m.ttr_histogram.map((b) => ({ label: b.bucket, value: b.count })),
    unit: 'findings',
  };
  const age: ChartSpec = {
    id: 'chart-open-age',
    title: 'Open findings by age',
    description: `Number of findings still open at ${model.period.as_of}, by age.`,
    points: m.open_by_age.map((b) => ({ label: b.bucket, value: b.count })),
    unit: 'findings',
  };
  return [
    { spec: adherence, chart: lineChart(adherence) },
    { spec: ttr, chart: barChart(ttr) },
    { spec: age, chart: barChart(age) },
  ];
}
