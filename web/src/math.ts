// TeX in the dictionaries' strings, typeset by KaTeX (its fonts bundled by Vite from the CSS):
// $$…$$ is display math, $…$ inline. KaTeX writes MathML beside the HTML, which screen readers read.
// Loaded as its own chunk (see i18n.ts), so the first paint does not wait for it.
import katex from 'katex';
import 'katex/dist/katex.min.css';

/** Math delimiters: $$display$$ or $inline$ (no literal $ in the strings). */
export const MATH = /\$\$([\s\S]+?)\$\$|\$([^$]+?)\$/g;

/** html with every $…$ and $$…$$ replaced by KaTeX's HTML + MathML. A TeX error shows the source in
 *  red rather than breaking the page (the i18n test renders every formula with throwOnError). */
export function typesetString(html: string): string {
  return html.replace(MATH, (_m, display: string | undefined, inline: string | undefined) =>
    katex.renderToString(display ?? inline ?? '', { displayMode: display !== undefined, throwOnError: false, output: 'htmlAndMathml' }));
}
