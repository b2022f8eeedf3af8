#!/usr/bin/python3
"""recur's language-model checkpoints in PyTorch: the command line over recur_torch (the module that
reads and writes every recur model file; see tools/torch/README.md).

    /usr/bin/python3 tools/torch/charlm.py eval CHECKPOINT TEXTFILE [--json]
    /usr/bin/python3 tools/torch/charlm.py generate CHECKPOINT [--prefix P] [--length N] [--greedy] [--json]
    /usr/bin/python3 tools/torch/charlm.py train TEXTFILE --out CHECKPOINT [--cell lstm] [--hidden 64] ...

`eval` prints what `recur eval` prints, `generate --greedy` what `recur generate --greedy` prints.
Every cell recur has works: torch.nn.RNN / GRU / LSTM where torch has the cell, recur_torch's loop
over time otherwise (the reset-before GRU, the identity RNN, the residual cells).

CharLM, Tokenizer, perplexity, greedy, sample, train, read_text, tokenize are recur_torch's, kept
here under their old names for scripts that import charlm.
"""

import argparse
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from recur_torch import (REPO, SHIPPED_TEXTS, CheckpointError, Tokenizer, greedy, perplexity,  # noqa: E402,F401
                         preprocess_d2l, read_safetensors, read_text, sample, tokenize, train, write_safetensors)
from recur_torch import LanguageModel as CharLM  # noqa: E402

CONFIG_KEY = "recur.config"

# --------------------------------------------------------------------------- CLI


def _cmd_eval(a):
    model = CharLM.load(a.checkpoint)
    r = perplexity(model, read_text(a.text))
    if a.json:
        print(json.dumps(r))
    else:
        print(f"perplexity {r['perplexity']:.4f} over {r['tokens']} tokens ({r['loss']:.4f} nats per token)")


def _cmd_generate(a):
    model = CharLM.load(a.checkpoint)
    tok = model.tokenizer
    prefix = a.prefix if a.prefix is not None else tok.decode([next(i for i, t in enumerate(tok.tokens) if t != tok.unk)])
    margins = []
    if a.greedy:
        if a.temperature is not None:
            raise CheckpointError("--greedy takes the most likely token: it cannot be combined with --temperature")
        text = greedy(model, prefix, a.length, margins)
    else:
        text = sample(model, prefix, a.length, a.temperature if a.temperature is not None else 1.0, a.seed)
    if a.json:
        out = {"text": text}
        if a.greedy:
            out["minMargin"] = min(margins) if margins else None
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(text)


def _cmd_train(a):
    torch.manual_seed(a.seed)
    tokens = tokenize(read_text(a.text), a.tokens, a.preprocess)
    if a.max_tokens > 0:
        tokens = tokens[: a.max_tokens]
    tok = Tokenizer.build(tokens, a.tokens, a.preprocess, a.min_freq, None if a.no_unk else "<unk>")
    rnn = {"cell": a.cell, "hiddenSize": a.hidden, "numLayers": a.layers, "bidirectional": False,
           "nonlinearity": a.nonlinearity, "resetAfter": a.cell == "gru", "bias": True, "residual": "x",
           "dropout": a.dropout, "forgetBias": 0}
    model = CharLM(tok, rnn, a.embedding)
    ids = tok.encode(tokens, a.text)
    every = max(1, a.steps // 10)

    def log(step, loss):
        if step % every == 0 or step == a.steps:
            print(f"step {step}/{a.steps}  loss {loss:.4f}  perplexity {math.exp(loss):.3f}", file=sys.stderr)

    print(f"{len(ids)} tokens, vocabulary {tok.size}, {sum(p.numel() for p in model.parameters())} parameters",
          file=sys.stderr)
    train(model, ids, a.steps, a.batch, a.bptt, a.lr, a.clip, a.seed, log)
    out = a.out
    if out.endswith(os.sep) or os.path.isdir(out):
        out = os.path.join(out, "checkpoint.safetensors")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    model.save(out)
    print(f"wrote {out}", file=sys.stderr)


def main(argv=None):
    p = argparse.ArgumentParser(prog="charlm.py", description="recur language-model checkpoints in PyTorch")
    sub = p.add_subparsers(dest="command", required=True)

    e = sub.add_parser("eval", help="perplexity of a checkpoint on a text (as `recur eval`)")
    e.add_argument("checkpoint")
    e.add_argument("text", help="a UTF-8 file, or timemachine / tinyshakespeare")
    e.add_argument("--json", action="store_true")
    e.set_defaults(run=_cmd_eval)

    g = sub.add_parser("generate", help="text from a checkpoint (as `recur generate`)")
    g.add_argument("checkpoint")
    g.add_argument("--prefix")
    g.add_argument("--length", type=int, default=200)
    g.add_argument("--greedy", action="store_true", help="argmax at every step (matches recur's --greedy)")
    g.add_argument("--temperature", type=float, help="sample at this temperature (default 1; torch's draws, not recur's)")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--json", action="store_true", help='{"text", "minMargin": smallest top1 - top2 logit gap}')
    g.set_defaults(run=_cmd_generate)

    t = sub.add_parser("train", help="train a model in PyTorch and write a checkpoint recur reads")
    t.add_argument("text", help="a UTF-8 file, or timemachine / tinyshakespeare")
    t.add_argument("--out", required=True, help="checkpoint path (or a folder: FOLDER/checkpoint.safetensors)")
    t.add_argument("--tokens", choices=["char", "word"], default="char")
    t.add_argument("--preprocess", choices=["none", "d2l"], default="none")
    t.add_argument("--max-tokens", type=int, default=0, help="use only the first N tokens (0: all)")
    t.add_argument("--min-freq", type=int, default=0, help="rarer tokens become <unk>")
    t.add_argument("--no-unk", action="store_true", help="no <unk> token (text with an unseen token is an error)")
    t.add_argument("--cell", choices=["lstm", "gru", "rnn"], default="lstm", help="gru is PyTorch's (resetAfter)")
    t.add_argument("--nonlinearity", choices=["tanh", "relu"], default="tanh", help="for --cell rnn")
    t.add_argument("--hidden", type=int, default=64)
    t.add_argument("--layers", type=int, default=1)
    t.add_argument("--embedding", type=int, default=None, help="embedding size (default: one-hot input)")
    t.add_argument("--dropout", type=float, default=0.0)
    t.add_argument("--steps", type=int, default=300, help="optimizer updates (recur's --steps is the BPTT length)")
    t.add_argument("--bptt", type=int, default=35, help="tokens per window (recur's --steps)")
    t.add_argument("--batch", type=int, default=32)
    t.add_argument("--lr", type=float, default=0.01)
    t.add_argument("--clip", type=float, default=1.0)
    t.add_argument("--seed", type=int, default=0)
    t.set_defaults(run=_cmd_train)

    a = p.parse_args(argv)
    if a.command == "train" and a.cell != "rnn" and a.nonlinearity != "tanh":
        p.error("--nonlinearity applies to --cell rnn only")
    try:
        a.run(a)
    except CheckpointError as err:
        print(f"charlm.py: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
