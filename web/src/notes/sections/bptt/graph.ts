// The unrolled RNN as an SVG: for each step t an input x_t, a state h_t and a loss L_t, the
// forward edges h_{t−1} → h_t, and the backward paths from the chosen loss L_t to every earlier
// state h_k, coloured by ‖∂L_t/∂h_k‖ (log scale); the truncation window is a shaded band that
// ends at L_t, and paths outside it are drawn cut (dashed, grey).
import { escapeXml, viridis } from '../../../../../src/charts/index.js';

export interface GraphLabels { state: string; input: string; loss: string; total: string; window: string; cut: string }

/** The graph for T steps, loss step t, window K, paths `row` = ‖∂L_t/∂h_k‖ for k ≤ t. */
export function unrolledGraph(T: number, t: number, K: number, row: number[], width: number, L: GraphLabels): string {
  const left = 30, right = 20, col = (width - left - right) / T;
  const X = (k: number) => left + (k + 0.5) * col;
  const yL = 52, yH = 150, yX = 222, r = Math.min(13, col * 0.36);
  const height = 292;
  const logs = row.slice(0, t + 1).map((v) => Math.log10(Math.max(v, 1e-300)));
  const lo = Math.min(...logs), hi = Math.max(...logs);
  const shade = (v: number) => viridis(hi - lo < 1e-9 ? 1 : (Math.log10(Math.max(v, 1e-300)) - lo) / (hi - lo));
  const small = col < 34;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    '<defs><marker id="bptt-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="6" markerHeight="6" orient="auto"><path d="M0 0L8 4L0 8z" fill="#888"/></marker></defs>',
  ];
  // the window: states t−K+1 … t
  const w0 = Math.max(0, t - K + 1);
  out.push(`<rect class="window" x="${left + w0 * col}" y="${yL - 26}" width="${(t - w0 + 1) * col}" height="${yX - yL + 46}" fill="#4e79a7" fill-opacity="0.10" stroke="#4e79a7" stroke-dasharray="4 3" rx="6"/>`);
  out.push(`<text x="${Math.min(left + w0 * col + 4, width - right - 6.2 * L.window.length)}" y="${yX + r + 32}" fill="#2d4f75" font-size="11">${escapeXml(L.window)}</text>`);
  // the total loss L = Σ L_t
  out.push(`<text x="${width / 2}" y="16" text-anchor="middle" font-weight="bold">${escapeXml(L.total)}</text>`);
  for (let k = 0; k < T; k++) {
    const x = X(k);
    // forward: x_k → h_k → L_k, h_{k−1} → h_k
    out.push(`<line x1="${x}" x2="${x}" y1="${yX - r}" y2="${yH + r + 2}" stroke="#bbb" marker-end="url(#bptt-arrow)"/>`);
    out.push(`<line x1="${x}" x2="${x}" y1="${yH - r}" y2="${yL + r + 2}" stroke="#bbb" marker-end="url(#bptt-arrow)"/>`);
    if (k > 0) out.push(`<line x1="${X(k - 1) + r}" x2="${x - r - 2}" y1="${yH}" y2="${yH}" stroke="#bbb" marker-end="url(#bptt-arrow)"/>`);
  }
  // backward: L_t → h_k along the chain, one arc per k ≤ t, thick and coloured inside the window
  for (let k = 0; k <= t; k++) {
    const inside = k > t - K;
    const x0 = X(t), x1 = X(k);
    const lift = 18 + (t - k) * Math.min(9, 70 / Math.max(1, t));
    const d = k === t ? `M${x0 + r * 0.7} ${yL + r}L${x1 + r * 0.7} ${yH - r}` : `M${x0} ${yH + r}C${x0} ${yH + r + lift} ${x1} ${yH + r + lift} ${x1} ${yH + r}`;
    out.push(`<path class="${inside ? 'kept' : 'cut'}" d="${d}" fill="none" stroke="${inside ? shade(row[k]!) : '#c8c8c8'}" stroke-width="${inside ? 3 : 1.5}"${inside ? '' : ' stroke-dasharray="3 4"'}/>`);
  }
  for (let k = 0; k < T; k++) {
    const x = X(k), chosen = k === t;
    out.push(`<circle cx="${x}" cy="${yL}" r="${r}" fill="${chosen ? '#e15759' : '#fbe3e3'}" stroke="#b5443f"/>`);
    out.push(`<circle cx="${x}" cy="${yH}" r="${r}" fill="${k <= t ? shade(row[k]!) : '#eee'}" stroke="#333"/>`);
    out.push(`<rect x="${x - r}" y="${yX - r}" width="${2 * r}" height="${2 * r}" fill="#f4f4f4" stroke="#777" rx="3"/>`);
    if (!small || k % 2 === 0 || chosen) {
      out.push(`<text x="${x}" y="${yL - r - 4}" text-anchor="middle" font-size="11">L${sub(k)}</text>`);
      out.push(`<text x="${x}" y="${yX + r + 14}" text-anchor="middle" font-size="11">x${sub(k)}</text>`);
    }
  }
  out.push(`<text x="6" y="${yH + 4}" font-size="11">h</text><text x="6" y="${yL + 4}" font-size="11">L</text><text x="6" y="${yX + 4}" font-size="11">x</text>`);
  out.push(`<text x="${left}" y="${height - 6}" fill="#555" font-size="11">${escapeXml(L.cut)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}

const SUB = '₀₁₂₃₄₅₆₇₈₉';
const sub = (k: number) => [...String(k)].map((c) => SUB[Number(c)]).join('');

/** The step whose column holds pixel x of a graph this wide. */
export function stepAt(x: number, T: number, width: number): number {
  const col = (width - 50) / T;
  return Math.max(0, Math.min(T - 1, Math.floor((x - 30) / col)));
}
