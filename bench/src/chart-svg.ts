/**
 * A small line-chart renderer to SVG, for the bench's figures in docs: panels
 * in a grid, each with labelled axes (linear or log), one polyline with markers
 * per series, and one legend for all panels (a series keeps its colour across
 * panels). No dependency: the docs need a picture, not a charting library.
 */
export interface ChartPoint {
  x: number;
  y: number;
}

export interface ChartSeries {
  name: string;
  points: ChartPoint[];
  /** A reference (say offered = delivered): dashed grey, not in the legend. */
  reference?: boolean;
}

/** A labelled horizontal line across a panel: a bound or a target. */
export interface ChartGuide {
  y: number;
  label: string;
}

export interface ChartPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  xLog?: boolean;
  yLog?: boolean;
  series: ChartSeries[];
  guides?: ChartGuide[];
}

const PANEL_WIDTH = 480;
const PANEL_HEIGHT = 320;
const MARGIN = { left: 70, right: 20, top: 34, bottom: 48 };
const LEGEND_ROW = 20;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

interface Axis {
  min: number;
  max: number;
  log: boolean;
  ticks: number[];
}

function niceStep(span: number): number {
  const raw = span / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / magnitude;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * magnitude;
}

function axis(values: number[], log: boolean): Axis {
  const finite = values.filter((value) => Number.isFinite(value) && (!log || value > 0));
  if (finite.length === 0) return { min: log ? 1 : 0, max: log ? 10 : 1, log, ticks: [] };
  if (log) {
    const min = 10 ** Math.floor(Math.log10(Math.min(...finite)));
    const max = 10 ** Math.ceil(Math.log10(Math.max(...finite)));
    const ticks: number[] = [];
    for (let decade = min; decade <= max; decade *= 10) {
      for (const factor of [1, 2, 5]) if (decade * factor <= max) ticks.push(decade * factor);
    }
    return { min, max, log, ticks };
  }
  const step = niceStep(Math.max(...finite) || 1);
  const max = Math.ceil(Math.max(...finite) / step) * step;
  const ticks: number[] = [];
  for (let tick = 0; tick <= max + step / 2; tick += step) ticks.push(tick);
  return { min: 0, max, log, ticks };
}

/** Position of `value` on the axis, 0..1. */
function fraction(value: number, { min, max, log }: Axis): number {
  return log ? Math.log10(value / min) / Math.log10(max / min) : (value - min) / (max - min);
}

function label(value: number): string {
  if (value >= 1_000_000) return `${+(value / 1_000_000).toFixed(1)}M`;
  if (value >= 1000) return `${+(value / 1000).toFixed(1)}k`;
  return `${+value.toPrecision(3)}`;
}

function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function renderPanel(
  panel: ChartPanel,
  left: number,
  top: number,
  colourOf: (name: string) => string,
): string {
  const points = panel.series.flatMap((series) => series.points);
  const xAxis = axis(
    points.map((point) => point.x),
    panel.xLog ?? false,
  );
  const yAxis = axis(
    [...points.map((point) => point.y), ...(panel.guides ?? []).map((guide) => guide.y)],
    panel.yLog ?? false,
  );
  const plotWidth = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const x0 = left + MARGIN.left;
  const y0 = top + MARGIN.top + plotHeight;
  const px = (value: number) => (x0 + fraction(value, xAxis) * plotWidth).toFixed(1);
  const py = (value: number) => (y0 - fraction(value, yAxis) * plotHeight).toFixed(1);
  const parts: string[] = [
    `<text x="${x0 + plotWidth / 2}" y="${top + 20}" text-anchor="middle" font-weight="bold">${escape(panel.title)}</text>`,
    `<rect x="${x0}" y="${y0 - plotHeight}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#444"/>`,
  ];
  for (const tick of xAxis.ticks) {
    const x = px(tick);
    parts.push(
      `<line x1="${x}" y1="${y0 - plotHeight}" x2="${x}" y2="${y0}" stroke="#ddd"/>`,
      `<text x="${x}" y="${y0 + 16}" text-anchor="middle">${label(tick)}</text>`,
    );
  }
  for (const tick of yAxis.ticks) {
    const y = py(tick);
    parts.push(
      `<line x1="${x0}" y1="${y}" x2="${x0 + plotWidth}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${x0 - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${label(tick)}</text>`,
    );
  }
  parts.push(
    `<text x="${x0 + plotWidth / 2}" y="${y0 + 36}" text-anchor="middle">${escape(panel.xLabel)}</text>`,
    `<text transform="translate(${left + 16} ${y0 - plotHeight / 2}) rotate(-90)" text-anchor="middle">${escape(panel.yLabel)}</text>`,
  );
  for (const guide of panel.guides ?? []) {
    const y = py(guide.y);
    parts.push(
      `<line x1="${x0}" y1="${y}" x2="${x0 + plotWidth}" y2="${y}" stroke="#888" stroke-dasharray="6 4"/>`,
      `<text x="${x0 + plotWidth - 4}" y="${Number(y) - 4}" text-anchor="end" fill="#555">${escape(guide.label)}</text>`,
    );
  }
  for (const series of panel.series) {
    const drawn = series.points
      .filter(
        (point) =>
          Number.isFinite(point.x) &&
          Number.isFinite(point.y) &&
          (!xAxis.log || point.x > 0) &&
          (!yAxis.log || point.y > 0),
      )
      .sort((a, b) => a.x - b.x);
    if (drawn.length === 0) continue;
    const path = drawn.map((point) => `${px(point.x)},${py(point.y)}`).join(' ');
    if (series.reference) {
      parts.push(
        `<polyline points="${path}" fill="none" stroke="#999" stroke-width="1" stroke-dasharray="4 4"/>`,
      );
      continue;
    }
    const colour = colourOf(series.name);
    parts.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const point of drawn) {
      parts.push(`<circle cx="${px(point.x)}" cy="${py(point.y)}" r="3" fill="${colour}"/>`);
    }
  }
  return parts.join('\n');
}

/** The whole chart: `panels` laid out `columns` to a row, a title above and the legend below. */
export function renderSvgChart(title: string, panels: ChartPanel[], columns = 2): string {
  const names = [
    ...new Set(
      panels.flatMap((panel) =>
        panel.series.filter((series) => !series.reference).map((series) => series.name),
      ),
    ),
  ];
  const colourOf = (name: string) => COLOURS[names.indexOf(name) % COLOURS.length] as string;
  const rows = Math.ceil(panels.length / columns);
  const width = PANEL_WIDTH * Math.min(columns, panels.length);
  const legendTop = 30 + rows * PANEL_HEIGHT + 10;
  const legendPerRow = Math.max(1, Math.floor(width / 180));
  const height = legendTop + Math.ceil(names.length / legendPerRow) * LEGEND_ROW + 10;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escape(title)}</text>`,
  ];
  panels.forEach((panel, index) => {
    const left = (index % columns) * PANEL_WIDTH;
    const top = 30 + Math.floor(index / columns) * PANEL_HEIGHT;
    parts.push(renderPanel(panel, left, top, colourOf));
  });
  names.forEach((name, index) => {
    const x = 20 + (index % legendPerRow) * 180;
    const y = legendTop + Math.floor(index / legendPerRow) * LEGEND_ROW;
    parts.push(
      `<line x1="${x}" y1="${y + 6}" x2="${x + 24}" y2="${y + 6}" stroke="${colourOf(name)}" stroke-width="3"/>`,
      `<text x="${x + 30}" y="${y + 6}" dominant-baseline="middle">${escape(name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
