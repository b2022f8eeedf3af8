#!/usr/bin/env python3
"""The same training as `recur train`, in PyTorch, for side-by-side results.

Same corpus, tokenizer and vocabulary (charlm.py mirrors src/data/text.ts), validation split from
the end, d2l's sequential partitioning (random offset, rows continued, state carried and detached),
random sampling too, the same optimizers, global-norm clipping, and the validation perplexity
measured as recur measures it each epoch (the validation text in B contiguous rows, T-step chunks,
state carried). Prints one JSON object per epoch, like `recur train --json`'s epoch lines.

  OMP_WAIT_POLICY=passive /usr/bin/python3 tools/torch/train_lm.py --cell lstm --hidden 256 --epochs 10
"""
import argparse, json, math, os, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
import charlm  # noqa: E402

DATA = os.path.join(os.path.dirname(__file__), "..", "..", "data")


def batches(ids, B, T, sampling, g):
    """d2l's seq_data_iter_sequential / seq_data_iter_random, time-major (T, B)."""
    if sampling == "sequential":
        offset = int(torch.randint(0, T + 1, (1,), generator=g))
        row = (len(ids) - offset - 1) // B
        xs = ids[offset:offset + row * B].view(B, row)
        ys = ids[offset + 1:offset + 1 + row * B].view(B, row)
        for i in range(0, (row // T) * T, T):
            yield xs[:, i:i + T].t(), ys[:, i:i + T].t()
    else:
        offset = int(torch.randint(0, T, (1,), generator=g))
        count = (len(ids) - offset - 1) // T
        starts = (offset + torch.randperm(count, generator=g) * T)
        for i in range(0, (count // B) * B, B):
            s = starts[i:i + B]
            index = s.view(1, -1) + torch.arange(T).view(-1, 1)
            yield ids[index], ids[index + 1]


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


@torch.no_grad()
def val_perplexity(model, ids, B, T):
    rows = max(1, min(B, (len(ids) - 1) // 2))
    n = (len(ids) - 1) // rows
    total, count, state = 0.0, 0, None
    for start in range(0, n, T):
        steps = min(T, n - start)
        index = torch.arange(rows).view(1, -1) * n + start + torch.arange(steps).view(-1, 1)
        logits, state = model(ids[index], state)
        total += F.cross_entropy(logits.reshape(-1, model.vocab_size), ids[index + 1].reshape(-1), reduction="sum").item()
        count += steps * rows
    return math.exp(total / count)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default="timemachine")
    p.add_argument("--tokens", default="char")
    p.add_argument("--preprocess", default="none")
    p.add_argument("--max-tokens", type=int, default=0)
    p.add_argument("--val", type=float, default=0.1)
    p.add_argument("--cell", default="lstm")
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--embedding", type=int, default=None)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=35)
    p.add_argument("--sampling", default="sequential")
    p.add_argument("--optimizer", default="adam")
    p.add_argument("--lr", type=float, default=0.005)
    p.add_argument("--clip", type=float, default=1.0)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None)
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    path = os.path.join(DATA, a.data + ".txt") if a.data in ("timemachine", "tinyshakespeare") else a.data
    corpus = charlm.tokenize(charlm.read_text(path), a.tokens, a.preprocess)
    if a.max_tokens > 0:
        corpus = corpus[:a.max_tokens]
    tok = charlm.Tokenizer.build(corpus, a.tokens, a.preprocess)
    ids = torch.tensor(tok.encode(corpus), dtype=torch.int64)
    n_val = int(len(ids) * a.val)
    train, val = ids[:len(ids) - n_val], ids[len(ids) - n_val:]
    rnn = {"cell": a.cell, "hiddenSize": a.hidden, "numLayers": a.layers, "resetAfter": a.cell == "gru"}
    model = charlm.CharLM(tok, rnn, a.embedding)
    opt = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[a.optimizer](model.parameters(), lr=a.lr)
    g = torch.Generator().manual_seed(a.seed)
    start = time.time()
    for epoch in range(1, a.epochs + 1):
        model.train()
        state, total, count = None, 0.0, 0
        for x, y in batches(train, a.batch, a.steps, a.sampling, g):
            if a.sampling == "random":
                state = None
            elif state is not None:
                state = detach(state)
            logits, state = model(x, state)
            loss = F.cross_entropy(logits.reshape(-1, model.vocab_size), y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            if a.clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), a.clip)
            opt.step()
            total += loss.item() * y.numel()
            count += y.numel()
        model.eval()
        vp = val_perplexity(model, val, a.batch, a.steps) if n_val >= 2 else None
        print(json.dumps({"event": "epoch", "epoch": epoch, "trainPerplexity": math.exp(total / count),
                          "valPerplexity": vp, "seconds": round(time.time() - start, 2)}), flush=True)
    if a.out:
        model.save(a.out)


if __name__ == "__main__":
    main()
