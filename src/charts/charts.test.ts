// The line chart, the heatmap and stacking, read back from their SVG text: what is drawn, where the
// lines break, what the legend and the axes say.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeXml, heatmap, lineChart, PALETTE, stackVertically, viridis, type LineChartOptions } from './index.js';

const count = (svg: string, re: RegExp): number => (svg.match(re) ?? []).length;
const base = { title: 'T', xLabel: 'x', yLabel: 'y' };

test('lineChart: a line per finite stretch, a dot for a lone point, palette colours, dashes and widths', () => {
  const svg = lineChart({
    ...base, series: [
      { label: 'a', x: [0, 1, 2, 3, 4, 5, 6], y: [1, 2, NaN, 3, 4, Infinity, 5] },
      { label: 'b', x: [0, 1, 2], y: [2, 1, 0], dashed: true, color: '#123456', width: 3.5 },
    ],
  });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="760" height="440"/);
  assert.ok(svg.trim().endsWith('</svg>'));
  assert.equal(count(svg, /<polyline /g), 3);
  assert.equal(count(svg, /<circle /g), 1); // a's last point stands alone
  assert.equal(count(svg, new RegExp(`<polyline [^>]*stroke="${PALETTE[0]}" stroke-width="2"`, 'g')), 2);
  assert.match(svg, /<polyline [^>]*stroke="#123456" stroke-width="3.5" stroke-linejoin="round" stroke-dasharray/);
});

test('lineChart: on log axes values ≤ 0 break the line; the axis labels say log scale and ticks are decades', () => {
  const svg = lineChart({ ...base, yLog: true, xLog: true, series: [{ label: 'a', x: [1, 10, 100, 1000], y: [1e-3, 0, 1e-1, 1] }] });
  assert.equal(count(svg, /<polyline /g), 1);
  assert.equal(count(svg, /<circle /g), 1);
  assert.match(svg, />y \(log scale\)</);
  assert.match(svg, />x \(log scale\)</);
  for (const label of ['0.001', '0.01', '0.1', '1', '10', '100', '1000']) assert.match(svg, new RegExp(`>${label}</text>`), label);
});

test('lineChart: markers, shaded spans, reference lines and custom x ticks, each named in the legend', () => {
  const svg = lineChart({
    ...base, series: [{ label: 'with dots', x: [0, 1, 2, 3], y: [3, 1, 2, 4], markers: true }],
    shade: [{ from: 1.5, to: 3, label: 'held out', color: '#fdebd3' }],
    hlines: [{ y: 2.5, label: 'baseline' }], vlines: [{ x: 2, label: 'origin' }],
    xTicks: [{ v: 0, label: 'Jan' }, { v: 2, label: 'Mar' }, { v: 9, label: 'Oct' }],
  });
  assert.equal(count(svg, /<circle /g), 4 + 1); // the points and the legend's dot
  assert.match(svg, /<rect x="[\d.]+" y="46" width="[\d.]+" height="342" fill="#fdebd3"\/>/);
  for (const label of ['with dots', 'held out', 'baseline', 'origin', 'Jan', 'Mar']) assert.match(svg, new RegExp(`>${label}</text>`), label);
  assert.doesNotMatch(svg, />Oct</); // outside the axis
  assert.equal(count(svg, /stroke-dasharray="2 4"/g), 2); // the horizontal line and its legend sample
  assert.equal(count(svg, /stroke-dasharray="3 3"/g), 2);
});

test('lineChart: a single plain series has no legend; a given legend width is kept', () => {
  const one = { ...base, series: [{ label: 'only', x: [0, 1], y: [0, 1] }] };
  assert.doesNotMatch(lineChart(one), />only</);
  const kept = lineChart({ ...one, legendWidth: 200 });
  assert.match(kept, />only</);
  assert.match(kept, /<clipPath id="clip-[0-9a-f]{8}"><rect x="74" y="46" width="466" /); // 760 − 74 − 20 − 200
});

test('lineChart: axis ranges: widened to nice ticks, y from 0 for data ≥ 0 near it, limits kept, custom x ticks tight', () => {
  const steps = lineChart({ ...base, series: [{ label: 'a', x: [20, 200], y: [5, 6] }] });
  assert.match(steps, />0<\/text>/);
  assert.match(steps, />200<\/text>/);
  const custom = lineChart({ ...base, xTicks: [{ v: 30, label: 'thirty' }], series: [{ label: 'a', x: [20, 200], y: [5, 6] }] });
  assert.doesNotMatch(custom, />0<\/text>/);
  assert.match(custom, />thirty<\/text>/);
  const fromZero = lineChart({ ...base, series: [{ label: 'a', x: [0, 1], y: [0.05, 4] }] });
  assert.match(fromZero, />0<\/text>/); // data ≥ 0 close to 0: the y axis starts at 0, not below
  assert.doesNotMatch(fromZero, />-1<\/text>/);
  const limited = lineChart({ ...base, yMin: -10, yMax: 10, series: [{ label: 'a', x: [0, 1], y: [0, 1] }] });
  assert.match(limited, />-10<\/text>/);
  assert.match(limited, />10<\/text>/);
});

test('lineChart: any finite data gives finite coordinates: 1e308, ±MAX_VALUE, denormals, equal huge values', () => {
  const cases: [string, Partial<LineChartOptions>][] = [
    ['steps of 1e308', { series: [{ label: 'a', x: [1e308, 1e308, 1e308], y: [1, 2, 3] }] }],
    ['x of ±1e308', { series: [{ label: 'a', x: [-1e308, 1e308], y: [1, 2] }] }],
    ['y of ±MAX_VALUE', { series: [{ label: 'a', x: [1, 2, 3], y: [-Number.MAX_VALUE, 0, Number.MAX_VALUE] }] }],
    ['equal huge y', { series: [{ label: 'a', x: [1, 2], y: [1.7e308, 1.7e308] }] }],
    ['equal huge y, log', { yLog: true, series: [{ label: 'a', x: [1, 2], y: [1.7e308, 1.7e308] }] }],
    ['denormal y, log', { yLog: true, series: [{ label: 'a', x: [1, 2, 3], y: [5e-324, 1e-320, 1] }] }],
    ['denormal to huge, log', { yLog: true, xLog: true, series: [{ label: 'a', x: [5e-324, 1e308], y: [5e-324, 1.7e308] }] }],
    ['denormal x', { series: [{ label: 'a', x: [0, 5e-324, 1e-323], y: [1, 2, 3] }] }],
    ['a point far beyond the limits', { xMax: 10, yMax: 10, hlines: [{ y: -1e308, label: 'h' }], series: [{ label: 'a', x: [0, 1e308], y: [0, 1e308] }] }],
  ];
  for (const [what, o] of cases) {
    const svg = lineChart({ ...base, series: [], ...o });
    assert.doesNotMatch(svg, /NaN|Infinity/, what);
    assert.equal(count(svg, /<polyline /g), 1, what);
  }
});

test('lineChart: text is escaped and every chart gets its own clip path', () => {
  const o: LineChartOptions = { ...base, title: 'a < b & "c"', series: [{ label: 'x>y', x: [0, 1], y: [0, 1] }] };
  const svg = lineChart(o);
  assert.match(svg, />a &lt; b &amp; &quot;c&quot;</);
  assert.equal(escapeXml('<&>"'), '&lt;&amp;&gt;&quot;');
  const id = /<clipPath id="(clip-[0-9a-f]{8})">/.exec(svg)![1]!;
  assert.ok(svg.includes(`clip-path="url(#${id})"`));
  assert.ok(!lineChart({ ...o, title: 'other' }).includes(id));
});

test('heatmap: one path per colour level, blank cells left out, a colour bar with decade ticks', () => {
  const rows = 4, cols = 4;
  const values = Float64Array.from({ length: rows * cols }, (_, i) => (i % 5 === 0 ? NaN : 10 ** (i / 5)));
  const svg = heatmap({ title: 'H', xLabel: 'k', yLabel: 't', colorLabel: 'v', values, rows, cols });
  const cells = /<g shape-rendering="crispEdges">([\s\S]*?)<\/g>/.exec(svg)![1]!;
  const paths = cells.match(/<path /g)!.length;
  const rects = cells.match(/M/g)!.length;
  assert.ok(paths >= 2 && paths <= 48);
  assert.ok(rects >= paths && rects <= rows * cols - 4); // 4 NaN cells are blank
  assert.match(svg, />10<\/text>/); // the values span 10^0.2 … 10^2.8
  assert.match(svg, />100<\/text>/);
  assert.match(svg, />v \(log scale\)</);
  assert.equal(viridis(0), '#440154');
  assert.equal(viridis(1), '#fde725');
});

test('heatmap: large matrices are averaged into at most maxCells per axis; a shared colour range is kept', () => {
  const n = 50;
  const values = Float64Array.from({ length: n * n }, (_, i) => 1 + (i % n));
  const svg = heatmap({ title: 'H', xLabel: 'k', yLabel: 't', colorLabel: 'v', values, rows: n, cols: n, maxCells: 10, colorRange: [1e-2, 1e4] });
  const cells = /<g shape-rendering="crispEdges">([\s\S]*?)<\/g>/.exec(svg)![1]!;
  assert.ok(cells.match(/M/g)!.length <= 10 * 10);
  assert.match(svg, />0\.01<\/text>/);
  assert.match(svg, />1000<\/text>/);
});

test('stackVertically: one document as wide as the widest and as tall as all of them', () => {
  const a = lineChart({ ...base, width: 500, height: 300, series: [] });
  const b = lineChart({ ...base, width: 700, height: 200, series: [] });
  const svg = stackVertically([a, b]);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="700" height="500" viewBox="0 0 700 500">/);
  assert.match(svg, /<svg x="0" y="0" xmlns/);
  assert.match(svg, /<svg x="0" y="300" xmlns/);
});

test('heatmap: a colour range narrower than the data says that it clamps; one that holds the data does not', () => {
  const values = [1e-6, 1e-3, 1, 1e6];
  const base = { title: 't', xLabel: 'x', yLabel: 'y', colorLabel: 'c', values, rows: 2, cols: 2 };
  assert.match(heatmap({ ...base, colorRange: [1e-3, 1] }), /class="clamp-note">clamped: values beyond/);
  assert.doesNotMatch(heatmap({ ...base, colorRange: [1e-7, 1e7] }), /clamp-note/);
  assert.doesNotMatch(heatmap(base), /clamp-note/);
  assert.match(heatmap({ ...base, colorRange: [1e-3, 1], clampNote: '已截断' }), />已截断</);
});

test('lineChart: a y axis with long tick labels gets a wider margin, so the axis label stays clear of them', () => {
  const x = [0, 1, 2];
  const leftOf = (svg: string) => Number(/<rect x="([\d.]+)" y="\d+" width="[\d.]+" height="[\d.]+" fill="none" stroke="#333"/.exec(svg)![1]);
  const short = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ label: 's', x, y: [1, 2, 3] }] });
  const long = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ label: 's', x, y: [123456, 123457.5, 123459] }] });
  assert.equal(leftOf(short), 74);
  const labels = [...long.matchAll(/text-anchor="end">([^<]+)</g)].map((m) => m[1]!);
  const widest = Math.max(...labels.map((l) => l.length));
  assert.ok(leftOf(long) >= 40 + 6.6 * widest, `left ${leftOf(long)} for labels ${labels.join(', ')}`);
  assert.ok(leftOf(long) > 74);
});

test('lineChart: custom y ticks fix the y axis to yMin…yMax, as custom x ticks do for x', () => {
  const ticks = [-1.5, -1, -0.5, 0, 0.5, 1, 1.5].map((v) => ({ v, label: String(v) }));
  const svg = lineChart({ ...base, series: [{ label: 's', x: [0, 1], y: [-0.2, 0.3] }], xMin: -1.5, xMax: 1.5, yMin: -1.5, yMax: 1.5, xTicks: ticks, yTicks: ticks });
  const yLabels = [...svg.matchAll(/text-anchor="end">([^<]+)</g)].map((m) => m[1]);
  assert.deepEqual(yLabels, ['-1.5', '-1', '-0.5', '0', '0.5', '1', '1.5']);
});
