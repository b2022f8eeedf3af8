// A TypeDoc plugin (typedoc.json "plugin"): a property without a /** doc comment */ takes its
// trailing `// comment` as its documentation. recur's interfaces keep their fields' meanings and
// shapes in trailing comments (`batch: number; // B rows per minibatch`); this puts them in the API
// reference without rewriting that style, and lets validation require a comment on every property.
import ts from 'typescript';
import { Comment, Converter, ReflectionKind } from 'typedoc';

/** The `// …` comments after `node` on its own line, joined, or undefined. */
function trailingComment(node) {
  const text = node.getSourceFile().text;
  const ranges = ts.getTrailingCommentRanges(text, node.end) ?? [];
  const parts = ranges
    .filter((r) => r.kind === ts.SyntaxKind.SingleLineCommentTrivia)
    .map((r) => text.slice(r.pos + 2, r.end).trim())
    .filter((s) => s !== '');
  return parts.length ? parts.join(' ') : undefined;
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (reflection.comment || !reflection.kindOf(ReflectionKind.Property)) return;
    const node = context.getSymbolFromReflection(reflection)?.declarations?.[0];
    if (!node) return;
    const text = trailingComment(node);
    if (text !== undefined) reflection.comment = new Comment([{ kind: 'text', text }]);
  });
}
