"""Text as recur reads it (src/data/text.ts): UTF-8 files or the shipped corpora, character or word
tokens, d2l preprocessing, and the vocabulary in d2l's order."""

import json
import os
import re
from collections import Counter

from .files import CheckpointError

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SHIPPED_TEXTS = {"timemachine": "timemachine.txt", "tinyshakespeare": "tinyshakespeare.txt"}

# JavaScript's \s (src/data/text.ts splits words on /\s+/): Python's str.split() differs on a few
# code points (it splits on \x1c-\x1f and \x85, not on \ufeff).
_JS_SPACE = re.compile("[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+")
_NON_LETTERS = re.compile("[^A-Za-z]+")


def read_text(path):
    """A UTF-8 file as recur reads it (TextDecoder: a leading BOM dropped, newlines kept as they are),
    or a corpus shipped in data/ by name (timemachine, tinyshakespeare)."""
    if path in SHIPPED_TEXTS and not os.path.exists(path):
        path = os.path.join(REPO, "data", SHIPPED_TEXTS[path])
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise CheckpointError(f"{path}: cannot read it ({e.strerror}); expected a UTF-8 file or one of {', '.join(SHIPPED_TEXTS)}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CheckpointError(f"{path}: expected UTF-8 text, got bytes that are not valid UTF-8") from None


def preprocess_d2l(text):
    """d2l's read_time_machine: re.sub('[^A-Za-z]+', ' ', line).strip().lower() for every line."""
    return [_NON_LETTERS.sub(" ", line).strip().lower() for line in text.split("\n")]


def _words(s):
    return [w for w in _JS_SPACE.split(s) if w]


def tokenize(text, kind, preprocess):
    """Characters are code points (for d2l: the lines joined with no separator); words split on
    whitespace."""
    if preprocess == "d2l":
        lines = preprocess_d2l(text)
        return [c for line in lines for c in line] if kind == "char" else [w for line in lines for w in _words(line)]
    return list(text) if kind == "char" else _words(text)


class Tokenizer:
    """The vocabulary of a checkpoint: `tokens` in index order, `unk` (or None), kind, preprocess."""

    def __init__(self, kind, tokens, unk, preprocess="none"):
        if kind not in ("char", "word"):
            raise CheckpointError(f'tokenizer: "kind" must be "char" or "word", got {kind!r}')
        if preprocess not in ("none", "d2l"):
            raise CheckpointError(f'tokenizer: "preprocess" must be "none" or "d2l", got {preprocess!r}')
        if not isinstance(tokens, list) or not tokens or not all(isinstance(t, str) for t in tokens):
            raise CheckpointError('tokenizer: "tokens" must be a non-empty array of strings')
        self.kind, self.tokens, self.unk, self.preprocess = kind, list(tokens), unk, preprocess
        self.index = {}
        for i, t in enumerate(self.tokens):
            if t in self.index:
                raise CheckpointError(f"vocabulary: token {t!r} appears twice (at {self.index[t]} and {i})")
            self.index[t] = i
        if unk is not None and unk not in self.index:
            raise CheckpointError(f"vocabulary: the unknown token {unk!r} is not among the tokens")

    @classmethod
    def build(cls, corpus, kind, preprocess, min_freq=0, unk="<unk>", reserved=()):
        """d2l's Vocab, as src/data/text.ts Vocab.build: unk and reserved tokens first, then by
        frequency (>= min_freq), most frequent first, ties in order of first appearance."""
        counts = Counter(corpus)  # insertion order = first appearance; sorted() is stable
        tokens = list(dict.fromkeys(([unk] if unk is not None else []) + list(reserved)))
        seen = set(tokens)
        for t, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            if n < min_freq:
                break
            if t not in seen:
                tokens.append(t)
                seen.add(t)
        return cls(kind, tokens, unk, preprocess)

    @classmethod
    def from_config(cls, o):
        if not isinstance(o, dict):
            raise CheckpointError(f"tokenizer: expected an object, got {o!r}")
        unk = o.get("unk")
        if unk is not None and not isinstance(unk, str):
            raise CheckpointError(f'tokenizer: "unk" must be a string or null, got {unk!r}')
        return cls(o.get("kind"), o.get("tokens"), unk, o.get("preprocess") or "none")

    def config(self):
        return {"kind": self.kind, "tokens": list(self.tokens), "unk": self.unk, "preprocess": self.preprocess}

    @property
    def size(self):
        return len(self.tokens)

    def encode(self, tokens, what="text"):
        """Ids; an unknown token maps to unk, or is an error naming it when there is none."""
        unk_id = self.index[self.unk] if self.unk is not None else -1
        ids, missing = [], {}
        for t in tokens:
            i = self.index.get(t, unk_id)
            if i < 0:
                missing[t] = True
            ids.append(i)
        if missing:
            missing = list(missing)
            noun = "character" if self.kind == "char" else "word"
            shown = ", ".join(json.dumps(t, ensure_ascii=False) for t in missing[:20])
            raise CheckpointError(f"{what}: {len(missing)} {noun}{'s' if len(missing) > 1 else ''} not in the "
                                  f"vocabulary, which has no unknown token: {shown}{', ...' if len(missing) > 20 else ''}")
        return ids

    def encode_text(self, text, what="text"):
        return self.encode(tokenize(text, self.kind, self.preprocess), what)

    def decode(self, ids):
        return ("" if self.kind == "char" else " ").join(self.tokens[i] for i in ids)

