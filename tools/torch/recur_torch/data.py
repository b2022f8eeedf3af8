"""recur's training data in Python, bit for bit: its random number generator (src/tensor/rng.ts,
xoshiro128** seeded through splitmix32) and d2l's two ways of cutting a token sequence into
minibatches (src/data/batches.ts), so that a PyTorch run draws the batches `recur train` draws and
a checkpoint's data Rng continues in `recur train --resume`.

    sequential  offset = rng.int(T + 1); B rows of ⌊(n − offset − 1)/B⌋ tokens; minibatch i is
                steps i·T … i·T + T − 1 of every row (the state carries from one to the next)
    random      offset = rng.int(T); subsequences offset + i·T shuffled (Fisher–Yates, rng.int(i + 1)),
                B per minibatch (the state starts at zero each time)
"""

import numpy as np

M32 = 0xFFFFFFFF


def _rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


class Rng:
    """recur's Rng: the same uint32, uniform and int draws, and the same state (get_state/set_state)."""

    def __init__(self, seed=0):
        x = seed & M32
        self.s = []
        for _ in range(4):
            # splitmix32
            x = (x + 0x9E3779B9) & M32
            z = x
            z = ((z ^ (z >> 16)) * 0x85EBCA6B) & M32
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
            self.s.append((z ^ (z >> 16)) & M32)
        self.spare = None

    def next_uint32(self):
        s = self.s
        result = (_rotl((s[1] * 5) & M32, 7) * 9) & M32
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 11)
        return result

    def uniform(self):
        """[0, 1) with 53 random bits."""
        hi = self.next_uint32() >> 5
        lo = self.next_uint32() >> 6
        return (hi * 67108864 + lo) / 9007199254740992

    def int(self, n):
        """Uniform on [0, n)."""
        return int(self.uniform() * n)

    def get_state(self):
        """As recur saves it: four words, then the spare normal (None: JSON null, recur's NaN)."""
        return list(self.s) + [self.spare]

    def set_state(self, state):
        self.s = [int(w) & M32 for w in state[:4]]
        self.spare = state[4] if len(state) > 4 else None


def batches_per_epoch(n, B, T, sampling):
    """At least how many minibatches an epoch has."""
    return (n - T - 1) // B // T if sampling == "sequential" else (n - T) // T // B


def epoch_batches(corpus, B, T, sampling, rng):
    """One epoch's minibatches [(inputs (T, B), targets (T, B))] as int64 numpy arrays; reads rng
    once at its start, as recur does."""
    corpus = np.asarray(corpus, dtype=np.int64)
    needed = B * T + T + 1 if sampling == "sequential" else B * T + T
    if len(corpus) < needed:
        raise ValueError(f"training data: {len(corpus)} tokens are too few for batch {B} × steps {T}; expected at least {needed}")
    out = []
    if sampling == "sequential":
        offset = rng.int(T + 1)
        row = (len(corpus) - offset - 1) // B
        starts = offset + np.arange(B) * row
        for i in range(row // T):
            index = starts.reshape(1, B) + i * T + np.arange(T).reshape(T, 1)  # (T, B)
            out.append((corpus[index], corpus[index + 1]))
        return out
    offset = rng.int(T)
    count = (len(corpus) - offset - 1) // T
    starts = [offset + i * T for i in range(count)]
    for i in range(count - 1, 0, -1):
        j = rng.int(i + 1)
        starts[i], starts[j] = starts[j], starts[i]
    for i in range(count // B):
        index = np.array(starts[i * B:(i + 1) * B]).reshape(1, B) + np.arange(T).reshape(T, 1)
        out.append((corpus[index], corpus[index + 1]))
    return out
