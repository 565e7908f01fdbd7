// What a chart is made from: labelled values and the words that describe it to people who
// cannot see it (the SVG title/desc and the data table printed under it).

export interface ChartPoint {
  label: string;
  value: number | null;
}

export interface ChartSpec {
  /** Unique within a page: used for the SVG's title/desc ids. */
  id: string;
  title: string;
  /** One sentence summarising what the chart shows, for screen readers and the PDF. */
  description: string;
  points: ChartPoint[];
  /** Unit shown after values, e.g. "%" or "findings". */
  unit: string;
  /** Fixed top of the y axis (100 for percentages); otherwise the data maximum, rounded up. */
  yMax?: number;
}

export interface RenderedChart {
  svg: string;
  width: number;
  height: number;
}
