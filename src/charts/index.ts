/**
 * @module charts
 * Charts as standalone SVG text, with no browser, DOM or dependency: line charts, heatmaps, their
 * ticks, and stacking several into one page. A leaf module: it imports nothing else from recur.
 */
export { escapeXml, PALETTE, stackVertically } from './svg.js';
export { dateTicks, linearTicks, logTicks, powerOfTen } from './ticks.js';
export type { Tick, Ticks } from './ticks.js';
export { lineChart } from './line-chart.js';
export type { LineChartOptions, Series } from './line-chart.js';
export { heatmap, viridis } from './heatmap.js';
export type { HeatmapOptions } from './heatmap.js';
