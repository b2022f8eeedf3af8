/**
 * @module analysis/report
 * A self-contained HTML page: the charts inline as SVG, the numbers as tables, and the full JSON at
 * the end, so one file can be mailed, archived or opened offline.
 */
import { escapeXml } from '../charts/index.js';

export interface Table {
  columns: string[];
  rows: (string | number | null)[][];
}

export interface Section {
  heading: string;
  text?: string | undefined;   // a paragraph (plain text)
  svg?: string | undefined;    // a chart
  table?: Table | undefined;
  /** Put a long table behind a "show" toggle. */
  collapsed?: boolean | undefined;
}

export function formatNumber(v: string | number | null): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(4) : v.toPrecision(6);
}

function tableHtml(t: Table): string {
  const head = `<tr>${t.columns.map((c) => `<th>${escapeXml(c)}</th>`).join('')}</tr>`;
  const body = t.rows.map((r) => `<tr>${r.map((v) => `<td>${escapeXml(formatNumber(v))}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n${head}\n${body}\n</table>`;
}

/** The page. `data` is appended as pretty JSON. */
export function htmlReport(title: string, sections: Section[], data?: unknown): string {
  const parts: string[] = [];
  parts.push(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeXml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
th, td { border: 1px solid #ddd; padding: 2px 8px; text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f4f4f4; }
svg { max-width: 100%; height: auto; }
pre { background: #f7f7f7; padding: 0.8em; overflow: auto; font-size: 0.8em; max-height: 30em; }
</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>`);
  for (const s of sections) {
    parts.push(`<h2>${escapeXml(s.heading)}</h2>`);
    if (s.text) parts.push(`<p>${escapeXml(s.text)}</p>`);
    if (s.svg) parts.push(`<div>${s.svg.replace(/^<\?xml[^>]*>\s*/, '')}</div>`);
    if (s.table) {
      parts.push(s.collapsed
        ? `<details><summary>${s.table.rows.length} rows</summary>\n${tableHtml(s.table)}\n</details>`
        : tableHtml(s.table));
    }
  }
  if (data !== undefined) {
    parts.push('<h2>All numbers (JSON)</h2>');
    parts.push(`<details><summary>show</summary><pre>${escapeXml(JSON.stringify(data, null, 1))}</pre></details>`);
  }
  parts.push('</body>\n</html>\n');
  return parts.join('\n');
}
