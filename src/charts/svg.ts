/**
 * @module charts/svg
 * What every chart shares: the palette, the font, XML escaping, number formatting for coordinates,
 * the document's opening (white page, title, subtitle), and stacking several charts into one page.
 */

/** Tableau 10: distinct, and readable by most colour-blind readers. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** The colour of the i-th series that names none. */
export const paletteColor = (i: number): string => PALETTE[i % PALETTE.length]!;

/** Average glyph width at 12 px, for layout. */
export const CHAR_WIDTH = 6.6;

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A coordinate to two decimals, without trailing zeros. */
export const fmt = (v: number): string => (Math.round(v * 100) / 100).toString();

/** The opening of a chart: the <svg> element, a white page, and the title and subtitle centred on top. */
export function svgOpen(width: number, height: number, title: string, subtitle: string | undefined): string[] {
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  if (subtitle) out.push(`<text x="${width / 2}" y="44" text-anchor="middle" fill="#555">${escapeXml(subtitle)}</text>`);
  return out;
}

/** FNV-1a of a string, as 8 hex digits. */
export function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Several SVG documents one above the other, as one document. */
export function stackVertically(svgs: string[]): string {
  let y = 0;
  let width = 0;
  const parts: string[] = [];
  for (const s of svgs) {
    const w = Number(/width="([\d.]+)"/.exec(s)?.[1] ?? 0);
    const h = Number(/height="([\d.]+)"/.exec(s)?.[1] ?? 0);
    parts.push(s.replace('<svg ', `<svg x="0" y="${y}" `));
    y += h;
    width = Math.max(width, w);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}">\n${parts.join('')}</svg>\n`;
}
