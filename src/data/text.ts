/**
 * @module data/text
 * Text to token ids and back: character or word tokens, the d2l preprocessing, and a vocabulary.
 *
 * d2l's `read_time_machine` + `tokenize(lines, 'char')`: every line becomes letters only, lower case,
 * each run of non-letters one space, stripped; the lines are then joined with no separator.
 * The vocabulary orders tokens as d2l's `Vocab` does: reserved tokens first (`<unk>` at 0 when there
 * is one), then by frequency, most frequent first, ties in order of first appearance.
 */
import { RecurError } from '../errors.js';

/** Characters or whitespace-separated words. */
export type TokenKind = 'char' | 'word';
/** Text preprocessing before tokenizing: none, or d2l's (letters only, lower case). */
export type Preprocess = 'none' | 'd2l';

/** The tokenizer as it travels in a checkpoint (`recur.config` → tokenizer). */
export interface TokenizerConfig {
  kind: TokenKind;
  tokens: string[];      // in index order
  unk: string | null;    // the unknown token, or null when there is none
  preprocess: Preprocess;
}

/** d2l: re.sub('[^A-Za-z]+', ' ', line).strip().lower() for every line. */
export function preprocessD2l(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop(); // readlines() gives no empty line after a final newline
  return lines.map((line) => line.replace(/[^A-Za-z]+/g, ' ').trim().toLowerCase());
}

/** The token strings of a text. Characters are code points; words split on whitespace. */
export function tokenize(text: string, kind: TokenKind, preprocess: Preprocess): string[] {
  if (preprocess === 'd2l') {
    const lines = preprocessD2l(text);
    return kind === 'char' ? lines.flatMap((l) => Array.from(l)) : lines.flatMap((l) => words(l));
  }
  return kind === 'char' ? Array.from(text) : words(text);
}

const words = (s: string): string[] => s.split(/\s+/).filter((w) => w.length > 0);

/** How tokens print back into text: characters run together, words are separated by a space. */
export const joinTokens = (tokens: readonly string[], kind: TokenKind): string => tokens.join(kind === 'char' ? '' : ' ');

/**
 * A token vocabulary: token strings to ids and back (`encode`, `decode`), with an optional unknown
 * token; built from a corpus by Vocab.build and stored in checkpoints by `config()`.
 */
export class Vocab {
  readonly tokens: readonly string[]; // by id
  readonly unk: string | null;        // the token unknown tokens map to, or none
  readonly kind: TokenKind;
  readonly preprocess: Preprocess;
  private readonly index = new Map<string, number>();

  constructor(config: TokenizerConfig) {
    if (config.tokens.length === 0) throw new RecurError('vocabulary: expected at least one token, got none');
    this.tokens = config.tokens;
    this.unk = config.unk;
    this.kind = config.kind;
    this.preprocess = config.preprocess;
    config.tokens.forEach((t, i) => {
      if (this.index.has(t)) throw new RecurError(`vocabulary: token ${JSON.stringify(t)} appears twice (at ${this.index.get(t)} and ${i})`);
      this.index.set(t, i);
    });
    if (config.unk !== null && !this.index.has(config.unk)) {
      throw new RecurError(`vocabulary: the unknown token ${JSON.stringify(config.unk)} is not among the tokens`);
    }
  }

  /** Build from a corpus's tokens: reserved first, then by frequency (≥ minFreq), ties by first seen. */
  static build(corpus: readonly string[], opt: { kind: TokenKind; preprocess: Preprocess; minFreq?: number;
    reserved?: readonly string[]; unk?: string | null }): Vocab {
    const unk = opt.unk === undefined ? '<unk>' : opt.unk;
    const counts = new Map<string, number>();
    for (const t of corpus) counts.set(t, (counts.get(t) ?? 0) + 1);
    const head = [...(unk === null ? [] : [unk]), ...(opt.reserved ?? [])];
    // Array.prototype.sort is stable: equal counts keep the Map's order of first appearance
    const byFreq = [...counts].sort((a, b) => b[1] - a[1]);
    const tokens = [...new Set(head)];
    const seen = new Set(tokens);
    for (const [t, n] of byFreq) {
      if (n < (opt.minFreq ?? 0)) break;
      if (!seen.has(t)) { tokens.push(t); seen.add(t); }
    }
    return new Vocab({ kind: opt.kind, tokens, unk, preprocess: opt.preprocess });
  }

  /** V, the number of tokens. */
  get size(): number { return this.tokens.length; }

  /** The tokenizer as a checkpoint stores it (a copy). */
  config(): TokenizerConfig {
    return { kind: this.kind, tokens: [...this.tokens], unk: this.unk, preprocess: this.preprocess };
  }

  /** Ids of token strings; an unknown token maps to <unk>, or is an error naming it when there is none. */
  encode(tokens: readonly string[], what = 'text'): Int32Array {
    const ids = new Int32Array(tokens.length);
    const unkId = this.unk === null ? -1 : this.index.get(this.unk)!;
    const missing = new Set<string>();
    tokens.forEach((t, i) => {
      const id = this.index.get(t);
      if (id !== undefined) ids[i] = id;
      else if (unkId >= 0) ids[i] = unkId;
      else missing.add(t);
    });
    if (missing.size > 0) {
      const list = [...missing].slice(0, 20).map((t) => JSON.stringify(t)).join(', ');
      throw new RecurError(`${what}: ${missing.size} ${this.kind === 'char' ? 'character' : 'word'}${missing.size > 1 ? 's' : ''} not in the vocabulary, which has no unknown token: ${list}${missing.size > 20 ? ', ...' : ''}`);
    }
    return ids;
  }

  /** Tokenize a text with this vocabulary's own kind and preprocessing, then encode it. */
  encodeText(text: string, what = 'text'): Int32Array {
    return this.encode(tokenize(text, this.kind, this.preprocess), what);
  }

  /**
   * The text of token ids (characters joined, words joined by spaces); an id outside the vocabulary
   * is dropped.
   */
  decode(ids: ArrayLike<number>): string {
    return joinTokens(Array.from(ids, (i) => this.tokens[i] ?? ''), this.kind);
  }
}
