#!/usr/bin/python3
"""Deterministic generator of the language-model fixtures in test/fixtures/lm/ (test/lm-torch.test.ts).

    /usr/bin/python3 tools/torch/make_lm_fixtures.py            # (re)write the fixtures
    /usr/bin/python3 tools/torch/make_lm_fixtures.py --check    # regenerate into a temp dir and
                                                                # compare byte for byte

Every case is a small language model made and trained briefly in PyTorch (float32, CPU, one
thread, seeded) on the start of data/timemachine.txt, written by CharLM.save
(tools/torch/charlm.py) as <case>/checkpoint.safetensors, and <case>/expected.json:

    {"perplexity", "loss", "tokens"   charlm.perplexity on "text", a later part of the book
     "text",                          (whole lines, at most MAX_EVAL_TOKENS tokens)
     "prefix", "length", "greedy",    charlm.greedy(model, prefix, length)
     "minMargin"}                     the smallest top1 - top2 logit gap over the greedy steps

The greedy text is kept only when every step's top-1 logit beats the top-2 by more than
MIN_MARGIN, so that float32 differences between PyTorch and recur cannot flip it; the first prefix
of the case's list that satisfies this is used.
"""

import argparse
import filecmp
import json
import os
import shutil
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import charlm  # noqa: E402

REPO = charlm.REPO
DEFAULT_OUT = os.path.join(REPO, "test", "fixtures", "lm")
MIN_MARGIN = 1e-3
MAX_EVAL_TOKENS = 2000
TRAIN_CHARS = 100_000  # the book's first ~100 KB (whole lines) train; the evaluation text comes later
EVAL_START_LINE = 2600

CASES = [
    {
        "name": "char-lstm-onehot-2layer",
        "about": "characters as they are, <unk> for those seen < 10 times; one-hot input; 2-layer LSTM",
        "tokens": "char", "preprocess": "none", "unk": "<unk>", "minFreq": 10, "embedding": None,
        "rnn": {"cell": "lstm", "hiddenSize": 24, "numLayers": 2},
        "steps": 800, "lr": 0.01, "seed": 1,
        "prefixes": ["The Time Traveller (for", "The Time Traveller", "It was"], "length": 60,
    },
    {
        "name": "char-gru-embedding",
        "about": "d2l characters with <unk>; embedding 16; PyTorch's GRU (resetAfter)",
        "tokens": "char", "preprocess": "d2l", "unk": "<unk>", "minFreq": 0, "embedding": 16,
        "rnn": {"cell": "gru", "hiddenSize": 32, "numLayers": 1, "resetAfter": True},
        "steps": 800, "lr": 0.01, "seed": 2,
        "prefixes": ["time traveller", "the time machine", "it was"], "length": 60,
    },
    {
        "name": "char-rnn-relu-nobias",
        "about": "characters as they are, <unk> for those seen < 10 times; one-hot; ReLU RNN without b_ih, b_hh",
        "tokens": "char", "preprocess": "none", "unk": "<unk>", "minFreq": 10, "embedding": None,
        "rnn": {"cell": "rnn", "hiddenSize": 32, "numLayers": 1, "nonlinearity": "relu", "bias": False},
        "steps": 800, "lr": 0.005, "seed": 3,
        "prefixes": ["The Time Traveller", "It was", "The Psychologist"], "length": 60,
    },
    {
        "name": "word-lstm-d2l",
        "about": "d2l words, the ~60 most frequent (seen >= 40 times) and <unk>; embedding 16; LSTM",
        "tokens": "word", "preprocess": "d2l", "unk": "<unk>", "minFreq": 40, "embedding": 16,
        "rnn": {"cell": "lstm", "hiddenSize": 32, "numLayers": 1},
        "steps": 800, "lr": 0.01, "seed": 4,
        "prefixes": ["the time traveller said", "the time machine", "it was a", "i thought"], "length": 20,
    },
    {
        "name": "char-nounk-d2l-rnn",
        "about": "d2l characters with NO unknown token (26 letters and space); embedding 8; 2-layer tanh RNN",
        "tokens": "char", "preprocess": "d2l", "unk": None, "minFreq": 0, "embedding": 8,
        "rnn": {"cell": "rnn", "hiddenSize": 24, "numLayers": 2, "nonlinearity": "tanh"},
        "steps": 800, "lr": 0.01, "seed": 5,
        "prefixes": ["time traveller", "the time machine", "it was"], "length": 60,
    },
]


def book():
    return charlm.read_text(os.path.join(REPO, "data", "timemachine.txt"))


def training_text(text):
    cut = text.rfind("\n", 0, TRAIN_CHARS)
    return text[: cut + 1]


def eval_text(text, kind, preprocess):
    """Whole lines from EVAL_START_LINE while the tokens stay <= MAX_EVAL_TOKENS."""
    lines = text.split("\n")[EVAL_START_LINE:]
    out = []
    for line in lines:
        candidate = "\n".join(out + [line]) + "\n"
        if len(charlm.tokenize(candidate, kind, preprocess)) > MAX_EVAL_TOKENS:
            break
        out.append(line)
    return "\n".join(out) + "\n"


def make_case(c, out_dir):
    torch.manual_seed(c["seed"])
    text = book()
    corpus = charlm.tokenize(training_text(text), c["tokens"], c["preprocess"])
    tok = charlm.Tokenizer.build(corpus, c["tokens"], c["preprocess"], c["minFreq"], c["unk"])
    V = tok.size
    rnn = {"cell": c["rnn"]["cell"], "inputSize": c["embedding"] or V, "hiddenSize": c["rnn"]["hiddenSize"],
           "numLayers": c["rnn"]["numLayers"], "bidirectional": False,
           "nonlinearity": c["rnn"].get("nonlinearity", "tanh"), "resetAfter": c["rnn"].get("resetAfter", False),
           "bias": c["rnn"].get("bias", True), "residual": "x", "dropout": 0, "forgetBias": 0}
    model = charlm.CharLM(tok, rnn, c["embedding"])
    charlm.train(model, tok.encode(corpus), c["steps"], batch=32, bptt=35, lr=c["lr"], clip=1.0, seed=c["seed"])

    dest = os.path.join(out_dir, c["name"])
    os.makedirs(dest, exist_ok=True)
    path = os.path.join(dest, "checkpoint.safetensors")
    model.save(path)
    # everything below from the file, as recur will see it
    model = charlm.CharLM.load(path)
    etext = eval_text(text, c["tokens"], c["preprocess"])
    r = charlm.perplexity(model, etext)
    chosen = None
    for prefix in c["prefixes"]:
        margins = []
        g = charlm.greedy(model, prefix, c["length"], margins)
        if min(margins) > MIN_MARGIN:
            chosen = (prefix, g, min(margins))
            break
        print(f"  {c['name']}: prefix {prefix!r}: a greedy step has top1 - top2 = {min(margins):.2e}; next prefix")
    assert chosen is not None, f"{c['name']}: no prefix gives greedy steps with margins > {MIN_MARGIN}"
    prefix, g, margin = chosen
    assert margin > MIN_MARGIN
    expected = {"about": c["about"], "vocab": V, "perplexity": r["perplexity"], "loss": r["loss"], "tokens": r["tokens"],
                "text": etext, "prefix": prefix, "length": c["length"], "greedy": g, "minMargin": margin}
    with open(os.path.join(dest, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return {"name": c["name"], "about": c["about"]}, r, g, V


def make_all(out_dir, verbose=True):
    torch.set_num_threads(1)
    os.makedirs(out_dir, exist_ok=True)
    manifest = []
    for c in CASES:
        entry, r, g, V = make_case(c, out_dir)
        manifest.append(entry)
        if verbose:
            size = os.path.getsize(os.path.join(out_dir, c["name"], "checkpoint.safetensors"))
            print(f"{c['name']}: V {V}, {size} bytes, perplexity {r['perplexity']:.4f} over {r['tokens']} tokens; "
                  f"greedy {g!r}")
    with open(os.path.join(out_dir, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default=DEFAULT_OUT)
    p.add_argument("--check", action="store_true", help="regenerate into a temp dir and compare with --out")
    a = p.parse_args()
    if not a.check:
        make_all(a.out)
        return 0
    tmp = tempfile.mkdtemp(prefix="recur-lm-fixtures-")
    try:
        make_all(tmp, verbose=False)
        bad = []
        for root, _, files in os.walk(tmp):
            for name in files:
                rel = os.path.relpath(os.path.join(root, name), tmp)
                other = os.path.join(a.out, rel)
                if not os.path.exists(other) or not filecmp.cmp(os.path.join(root, name), other, shallow=False):
                    bad.append(rel)
        if bad:
            print("differ from a fresh run: " + ", ".join(sorted(bad)))
            return 1
        print(f"{a.out}: identical to a fresh run")
        return 0
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    sys.exit(main())
