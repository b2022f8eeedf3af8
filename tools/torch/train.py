#!/usr/bin/python3
"""`recur train` in PyTorch, on one process or many (DistributedDataParallel), writing an ordinary
recur checkpoint that `recur eval` / `generate`, the library and `recur train --resume` read.

    /usr/bin/python3 tools/torch/train.py --data timemachine --cell lstm --hidden 256 --epochs 2 --out runs/tm
    torchrun --nproc_per_node=4 tools/torch/train.py --data corpus.txt --batch 64 --out runs/big
    (Debian's torch 1.13 on Python 3.11: python3 -m torch.distributed.run --redirects 1 --tee 1 --nproc_per_node=2 ...)

The same data as `recur train` (corpus, tokenizer and vocabulary, validation split from the end),
the same minibatches (recur's Rng and d2l's sequential or random partitioning, recur_torch/data.py),
the same loss (mean cross-entropy over the T·B tokens of a minibatch), global-norm clipping and
optimizer (torch.optim's SGD, Adam, AdamW, Adagrad, RMSprop: recur's are the same formulas).
With N processes every minibatch's B rows are split into N blocks of B/N rows, one per process
(each carries its own rows' state); DDP averages the gradients, which is the gradient of the mean
over all B rows: the run equals a one-process run of the same --batch.

The checkpoint (--out DIR/checkpoint.safetensors, written by process 0 after every epoch) holds the
model, the optimizer's state (optim.<state>.<param>, PyTorch's names, recur's too), the carried
state (train.h, train.c: zero at an epoch's end), "recur.train" (step, epoch, the data Rng, options)
and "recur.data" (the corpus and its SHA-256), so `recur train --resume` continues the run on one
machine. See docs/scaling.md for what carries over and what does not.
"""

import argparse
import hashlib
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recur_torch as rt  # noqa: E402
from recur_torch.data import Rng, batches_per_epoch, epoch_batches  # noqa: E402

OPTIMIZERS = {"sgd": ["momentum_buffer"], "adam": ["exp_avg", "exp_avg_sq"], "adamw": ["exp_avg", "exp_avg_sq"],
              "adagrad": ["sum"], "rmsprop": ["square_avg"]}


def options():
    p = argparse.ArgumentParser(prog="train.py", description=__doc__.split("\n")[0])
    a = p.add_argument
    a("--data", default="timemachine", help="timemachine, tinyshakespeare or a UTF-8 file")
    a("--tokens", choices=["char", "word"], default="char")
    a("--preprocess", choices=["none", "d2l"], default="none")
    a("--max-tokens", type=int, default=0)
    a("--min-freq", type=int, default=0)
    a("--val", type=float, default=0.1)
    a("--cell", choices=["lstm", "gru", "rnn", "residual"], default="lstm")
    a("--reset-after", action="store_true")
    a("--nonlinearity", choices=["tanh", "relu", "identity"], default=None)
    a("--residual", choices=["x", "xh"], default=None)
    a("--hidden", type=int, default=256)
    a("--layers", type=int, default=1)
    a("--embedding", type=int, default=None)
    a("--dropout", type=float, default=0.0)
    a("--batch", type=int, default=32, help="B rows per minibatch, over all processes")
    a("--steps", type=int, default=35, help="T, the truncation length")
    a("--sampling", choices=["sequential", "random"], default="sequential")
    a("--epochs", type=int, default=20)
    a("--optimizer", choices=list(OPTIMIZERS), default="adam")
    a("--lr", type=float, default=0.005)
    a("--momentum", type=float, default=0.0)
    a("--weight-decay", type=float, default=None)
    a("--clip", type=float, default=1.0)
    a("--seed", type=int, default=0)
    a("--out", required=True, help="a folder: OUT/checkpoint.safetensors")
    a("--backend", choices=["auto", "gloo", "nccl"], default="auto", help="auto: nccl with CUDA, else gloo")
    a("--threads", type=int, default=1, help="torch threads per process")
    a("--json", action="store_true", help="one JSON line per epoch")
    a("--epoch-checkpoints", action="store_true", help="also keep OUT/epoch-N.safetensors after every epoch")
    o = p.parse_args()
    if o.batch < 1 or o.steps < 1 or o.epochs < 1 or o.hidden < 1 or o.layers < 1:
        p.error("--batch, --steps, --epochs, --hidden and --layers must be positive integers")
    if not (0 <= o.val < 1):
        p.error(f"--val: expected a fraction in [0, 1), got {o.val}")
    return o


def corpus(o):
    """(spec for recur.data, Tokenizer, ids): recur's freshSetup in src/cli/train.ts."""
    shipped = o.data in rt.SHIPPED_TEXTS and not os.path.exists(o.data)
    text = rt.read_text(o.data)
    tokens = rt.tokenize(text, o.tokens, o.preprocess)
    if o.max_tokens > 0:
        tokens = tokens[: o.max_tokens]
    tok = rt.Tokenizer.build(tokens, o.tokens, o.preprocess, o.min_freq)
    spec = {"data": o.data, "tokens": o.tokens, "preprocess": o.preprocess, "maxTokens": o.max_tokens,
            "minFreq": o.min_freq, "val": o.val, **({} if shipped else {"file": os.path.abspath(o.data)}),
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
    return spec, tok, np.array(tok.encode(tokens, o.data), dtype=np.int64)


def make_optimizer(o, params):
    wd = o.weight_decay if o.weight_decay is not None else (0.01 if o.optimizer == "adamw" else 0.0)
    if o.optimizer == "sgd":
        return torch.optim.SGD(params, lr=o.lr, momentum=o.momentum, weight_decay=wd)
    cls = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop}
    return cls[o.optimizer](params, lr=o.lr, weight_decay=wd)


@torch.no_grad()
def val_perplexity(model, ids, B, T, device):
    """recur's evaluatePerplexity(model, ids, {steps: T, rows: B}): B contiguous rows from zero
    states, chunks of T steps, the state carried."""
    rows = max(1, min(B, (len(ids) - 1) // 2))
    n = (len(ids) - 1) // rows
    data = torch.as_tensor(ids, device=device)
    total, count, state = 0.0, 0, None
    for start in range(0, n, T):
        steps = min(T, n - start)
        index = torch.arange(rows, device=device).view(1, -1) * n + start + torch.arange(steps, device=device).view(-1, 1)
        logits, state = model(data[index], state)
        total += F.cross_entropy(logits.reshape(-1, model.vocab_size).double(), data[index + 1].reshape(-1), reduction="sum").item()
        count += steps * rows
    return math.exp(total / count)


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def train_options(o):
    """recur.train's "options" (src/models/train-state.ts TrainOptions)."""
    return {"batch": o.batch, "steps": o.steps, "sampling": o.sampling, "optimizer": o.optimizer, "lr": o.lr,
            "momentum": o.momentum, **({} if o.weight_decay is None else {"weightDecay": o.weight_decay}),
            "clip": o.clip, "clipValue": 0, "schedule": "constant", "warmup": 0, "minLr": 0, "gamma": 0.5,
            "stepEvery": 1000, "epochs": o.epochs, "patience": 0, "onNonFinite": "stop", "seed": o.seed}


def save(o, model, opt, spec, run, path):
    """The recur checkpoint: model, optim.<state>.<param>, train.h/c (zero: an epoch's end), recur.train, recur.data."""
    extra = []
    for name, p in model.named_parameters():
        st = opt.state.get(p, {})
        for key in OPTIMIZERS[o.optimizer] if (o.optimizer != "sgd" or o.momentum > 0) else []:
            buf = st.get(key)
            buf = torch.zeros_like(p) if buf is None else buf
            extra.append((f"optim.{key}.{name}", buf.detach().float().cpu().numpy()))
    c = model.config
    shape = (c["numLayers"] * (2 if c["bidirectional"] else 1), o.batch, c["hiddenSize"])
    extra.append(("train.h", np.zeros(shape, dtype=np.float32)))
    if c["cell"] == "lstm":
        extra.append(("train.c", np.zeros(shape, dtype=np.float32)))
    state = {"step": run["step"], "epoch": run["epoch"], "batch": 0, "dataRng": run["rng"].get_state(),
             "modelRng": Rng(o.seed).get_state(), "epochLoss": 0, "epochTokens": 0, "bestVal": run["best"],
             "bestEpoch": run["bestEpoch"], "badEpochs": run["bad"], "epochSkipped": 0, "skipped": 0,
             "options": train_options(o)}
    model.save(path, extra=extra, metadata={rt.TRAIN_KEY: json.dumps(state), rt.DATA_KEY: json.dumps(spec)})


def main():
    o = options()
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    cuda = torch.cuda.is_available() and o.backend != "gloo"
    backend = o.backend if o.backend != "auto" else ("nccl" if cuda else "gloo")
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}" if cuda else "cpu")
    torch.set_num_threads(o.threads)
    if cuda:
        torch.cuda.set_device(device)
    if backend == "nccl" and not cuda:
        raise rt.CheckpointError("--backend nccl needs CUDA, which this torch does not see; use --backend gloo (CPUs)")
    if o.batch % world != 0:
        raise rt.CheckpointError(f"--batch {o.batch} must be a multiple of the {world} processes (each takes --batch / N rows)")
    if world > 1:
        dist.init_process_group(backend)
    spec, tok, ids = corpus(o)
    n_val = int(len(ids) * o.val)
    train_ids, val_ids = ids[: len(ids) - n_val], ids[len(ids) - n_val:]
    if batches_per_epoch(len(train_ids), o.batch, o.steps, o.sampling) < 1:
        raise rt.CheckpointError(f"--data {o.data}: {len(train_ids)} training tokens are too few for one minibatch of --batch {o.batch} × --steps {o.steps}")
    rnn = {"cell": o.cell, "hiddenSize": o.hidden, "numLayers": o.layers, "resetAfter": o.reset_after, "dropout": o.dropout,
           **({} if o.nonlinearity is None else {"nonlinearity": o.nonlinearity}), **({} if o.residual is None else {"residual": o.residual})}
    torch.manual_seed(o.seed)
    model = rt.LanguageModel(tok, rnn, o.embedding).to(device)
    net = nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if cuda else None) if world > 1 else model
    opt = make_optimizer(o, model.parameters())
    rows = slice(rank * o.batch // world, (rank + 1) * o.batch // world)
    run = {"step": 0, "epoch": 0, "rng": Rng(o.seed), "best": None, "bestEpoch": None, "bad": 0}
    out = os.path.join(o.out, "checkpoint.safetensors")
    if rank == 0:
        os.makedirs(o.out, exist_ok=True)
    started = time.time()
    for epoch in range(o.epochs):
        model.train()
        state, total, count = None, 0.0, 0
        for x, y in epoch_batches(train_ids, o.batch, o.steps, o.sampling, run["rng"]):
            x, y = torch.as_tensor(x[:, rows], device=device), torch.as_tensor(y[:, rows], device=device)
            state = None if o.sampling == "random" or state is None else detach(state)
            logits, state = net(x, state)
            loss = F.cross_entropy(logits.reshape(-1, model.vocab_size), y.reshape(-1))  # mean over this process's rows
            opt.zero_grad()
            loss.backward()  # DDP: the gradients averaged over the processes
            if o.clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), o.clip)
            opt.step()
            run["step"] += 1
            total += loss.item()
            count += 1
        run["epoch"] += 1
        mean = torch.tensor([total / count], device=device)
        if world > 1:
            dist.all_reduce(mean)
            mean /= world
        model.eval()
        vp = val_perplexity(model, val_ids, o.batch, o.steps, device) if n_val >= 2 else None
        if vp is None:
            run["bestEpoch"] = run["epoch"]
        elif run["best"] is None or vp < run["best"]:
            run["best"], run["bestEpoch"], run["bad"] = vp, run["epoch"], 0
        else:
            run["bad"] += 1
        if rank == 0:
            save(o, model, opt, spec, run, out)
            if o.epoch_checkpoints:
                save(o, model, opt, spec, run, os.path.join(o.out, f"epoch-{run['epoch']}.safetensors"))
            line = {"event": "epoch", "epoch": run["epoch"], "step": run["step"], "trainPerplexity": math.exp(mean.item()),
                    "valPerplexity": vp, "seconds": round(time.time() - started, 2), "processes": world, "checkpoint": out}
            print(json.dumps(line) if o.json else
                  f"epoch {line['epoch']}: train perplexity {line['trainPerplexity']:.3f}" +
                  ("" if vp is None else f", validation {vp:.3f}") + f" ({world} process{'es' if world > 1 else ''}, {line['seconds']} s)", flush=True)
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    try:
        main()
    except (rt.CheckpointError, OSError) as e:
        print(f"train.py: {e}", file=sys.stderr)
        sys.exit(1)
