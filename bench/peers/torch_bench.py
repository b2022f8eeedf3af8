#!/usr/bin/env python3
"""The standard workload in PyTorch: nn.LSTM / nn.GRU / nn.RNN + nn.Linear on one-hot inputs,
CrossEntropyLoss (the mean over B*T positions), SGD with lr 1.

  OMP_WAIT_POLICY=passive /usr/bin/python3 bench/peers/torch_bench.py --cell lstm --hidden 256 \\
      --threads 1 [--mode train|generate] [--batch 32] [--steps 35] [--vocab 64] [--seconds 3]

train: zero_grad, forward, loss, backward, step on (T, B) batches; tokens/s = B*T*steps/s.
generate: batch 1, one token at a time: one-hot in, one step of the cell with its carried state,
softmax, torch.multinomial, feed the sample back; tokens/s = tokens generated per second.
classify: the variable-length workload (recur bench --mode classify): B sequences of lengths uniform
in --min-length..--max-length (seeded), inputs ~ N(0, 1) padded to the batch's longest, an L-layer
nn.GRU (LSTM, RNN) over pack_padded_sequence(x, lengths, enforce_sorted=False), h_n of the top layer
(each sequence's last valid state) -> nn.Linear -> C classes, CrossEntropyLoss, SGD lr 0.1;
tokens/s counts real tokens (the sum of the lengths).
Prints one JSON object with tokensPerSecond (wall clock) and tokensPerCpuSecond (tokens per second of
the process's CPU time over the same window: less sensitive to other load on the machine).
"""
import argparse
import json
import os
import time

p = argparse.ArgumentParser()
p.add_argument('--cell', choices=['lstm', 'gru', 'rnn'], default='lstm')
p.add_argument('--hidden', type=int, default=256)
p.add_argument('--batch', type=int, default=None, help='default 32 (classify: 64)')
p.add_argument('--steps', type=int, default=35)
p.add_argument('--vocab', type=int, default=64)
p.add_argument('--threads', type=int, default=1)
p.add_argument('--mode', choices=['train', 'generate', 'classify'], default='train')
p.add_argument('--layers', type=int, default=2, help='classify only')
p.add_argument('--input', type=int, default=32, help='classify only')
p.add_argument('--classes', type=int, default=4, help='classify only')
p.add_argument('--min-length', type=int, default=20, help='classify only')
p.add_argument('--max-length', type=int, default=100, help='classify only')
p.add_argument('--seconds', type=float, default=3.0)
p.add_argument('--warmup', type=float, default=0.5, help='seconds, not measured')
p.add_argument('--seed', type=int, default=0)
a = p.parse_args()

# torch.set_num_threads bounds ATen's OpenMP pool only. Debian's torch does its matrix products in
# OpenBLAS, whose own pthread pool sizes itself to the machine: without these, "1 thread" computes
# on every core (measured: 4.0 CPU-seconds in 2.0 s on 2 cores). Set before torch loads OpenBLAS.
for var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[var] = str(a.threads)

import torch  # noqa: E402  (after the thread variables)
from torch import nn  # noqa: E402

torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
H, T, V = a.hidden, a.steps, a.vocab
B = a.batch if a.batch is not None else (64 if a.mode == 'classify' else 32)


class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = {'lstm': nn.LSTM, 'gru': nn.GRU, 'rnn': nn.RNN}[a.cell](V, H)
        self.head = nn.Linear(H, V)

    def forward(self, x, state=None):  # x (T, B, V) one-hot
        y, state = self.rnn(x, state)
        return self.head(y), state


model = LM() if a.mode != 'classify' else None


cpu = [0.0]


def timed(fn, per_call):
    """Warm up, then call fn for about a.seconds (at least 3 calls); returns (tokens/s, calls, s).
    cpu[0]: the CPU seconds of the process (all its threads) over the measured window."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < a.warmup:
        fn()
    calls, t0, c0 = 0, time.perf_counter(), time.process_time()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= a.seconds and calls >= 3:
            cpu[0] = time.process_time() - c0
            return per_call * calls / elapsed, calls, elapsed


def classify():
    """The variable-length classifier; returns (tokens/s, calls, seconds, extra)."""
    from torch.nn.utils.rnn import pack_padded_sequence
    rnn = {'lstm': nn.LSTM, 'gru': nn.GRU, 'rnn': nn.RNN}[a.cell](a.input, H, num_layers=a.layers)
    head = nn.Linear(H, a.classes)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    batches = []
    for _ in range(8):
        lengths = torch.randint(a.min_length, a.max_length + 1, (B,))
        T_b = int(lengths.max())
        x = torch.randn(T_b, B, a.input) * (torch.arange(T_b).view(-1, 1) < lengths.view(1, -1)).unsqueeze(2)
        batches.append((x, lengths, torch.randint(0, a.classes, (B,)), int(lengths.sum())))
    n = [0]
    last = [float('nan')]
    tokens = [0]

    def step():
        x, lengths, y, count = batches[n[0] % len(batches)]
        n[0] += 1
        opt.zero_grad()
        _, h_n = rnn(pack_padded_sequence(x, lengths, enforce_sorted=False))
        h = h_n[0] if a.cell == 'lstm' else h_n
        loss = loss_fn(head(h[-1]), y)
        loss.backward()
        opt.step()
        last[0] = loss.item()
        tokens[0] += count

    # Debian's torch 1.13 runs the packed GRU's backward 10-20x slower (seconds per step, measured
    # here) until the process has made one unpacked call (oneDNN's RNN, which leaves denormals
    # flushed, it seems): one, untimed, so that the figure is PyTorch's good one
    rnn(batches[0][0])[0].sum().backward()
    opt.zero_grad()
    # timed() counts per_call tokens per call; count the real ones instead
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < a.warmup:
        step()
    calls, tokens[0], t0, c0 = 0, 0, time.perf_counter(), time.process_time()
    while True:
        step()
        calls += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= a.seconds and calls >= 3:
            cpu[0] = time.process_time() - c0
            return tokens[0] / elapsed, calls, elapsed, {
                'loss': round(last[0], 4), 'layers': a.layers, 'input': a.input, 'classes': a.classes,
                'minLength': a.min_length, 'maxLength': a.max_length, 'tokens': tokens[0]}


if a.mode == 'classify':
    tps, calls, elapsed, extra = classify()
elif a.mode == 'train':
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    loss_fn = nn.CrossEntropyLoss()
    batches = []
    for _ in range(8):
        seq = torch.randint(0, V, (T + 1, B))
        batches.append((nn.functional.one_hot(seq[:-1], V).float(), seq[1:].reshape(-1)))
    n = [0]
    last = [float('nan')]

    def train_step():
        x, y = batches[n[0] % len(batches)]
        n[0] += 1
        opt.zero_grad()
        logits, _ = model(x)
        loss = loss_fn(logits.reshape(-1, V), y)
        loss.backward()
        opt.step()
        last[0] = loss.item()

    tps, calls, elapsed = timed(train_step, B * T)
    extra = {'loss': round(last[0], 4)}
else:
    state = [None]
    token = [torch.zeros(1, dtype=torch.long)]

    @torch.no_grad()
    def generate_step():
        x = nn.functional.one_hot(token[0], V).float().view(1, 1, V)
        logits, state[0] = model(x, state[0])
        token[0] = torch.multinomial(torch.softmax(logits.view(-1), 0), 1)

    tps, calls, elapsed = timed(generate_step, 1)
    extra = {}

print(json.dumps({
    'peer': 'pytorch', 'version': torch.__version__, 'threads': torch.get_num_threads(),
    'openblasThreads': os.environ['OPENBLAS_NUM_THREADS'],
    'ompWaitPolicy': os.environ.get('OMP_WAIT_POLICY'), 'cell': a.cell, 'hidden': H, 'mode': a.mode,
    'batch': B if a.mode != 'generate' else 1, 'steps': T if a.mode == 'train' else 1, 'vocab': V,
    'tokensPerSecond': round(tps, 1), 'calls': calls, 'seconds': round(elapsed, 3),
    'cpuSeconds': round(cpu[0], 3), 'tokensPerCpuSecond': round(tps * elapsed / cpu[0], 1) if cpu[0] > 0 else None, **extra,
}))
