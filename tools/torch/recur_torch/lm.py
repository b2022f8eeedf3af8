"""recur's language model ("model": "lm", src/models/lm-file.ts) as a torch.nn.Module, and what recur
computes with one: perplexity (`recur eval`), greedy and sampled text (`recur generate`), a quick
training.

    x_t = one_hot(w_t) or E[w_t];  h = RNN(x) (time-major);  logits = head(h)

Tensors: embedding.weight (V, E) when an embedding is used; rnn.<PyTorch name>; head.weight
(V, D·H); head.bias (V); optim.*, train.* (a training run's state, see train_state.py).
"""

import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .files import CheckpointError, dumps
from .recurrent import make_recurrent
from .text import tokenize


class LanguageModel(nn.Module):
    """one-hot or nn.Embedding → recurrent stack (any cell) → nn.Linear; state_dict names are the
    checkpoint's: embedding.weight, rnn.*, head.weight, head.bias."""

    def __init__(self, tokenizer, rnn, embedding_size=None, loop=False):
        super().__init__()
        V = tokenizer.size
        I = V if embedding_size is None else embedding_size
        if not isinstance(rnn, dict):
            raise CheckpointError(f"rnn: expected the stack's config (a JSON object), got {rnn!r}")
        rnn = dict(rnn)
        rnn.setdefault("inputSize", I)
        self.tokenizer = tokenizer
        self.vocab_size = V
        self.embedding_size = embedding_size
        self.embedding = nn.Embedding(V, embedding_size) if embedding_size is not None else None
        self.rnn = make_recurrent(rnn, "rnn", loop=loop)
        c = self.rnn.config
        if c["inputSize"] != I:
            raise CheckpointError(f"rnn.inputSize must be {'the vocabulary size %d (one-hot input)' % V if embedding_size is None else 'embeddingSize %d' % I}, got {c['inputSize']}")
        self.config = c
        D = 2 if c["bidirectional"] else 1
        self.head = nn.Linear(D * c["hiddenSize"], V)

    def encode(self, ids):
        """ids (T, B) int64 -> x (T, B, E), or the ids themselves (the stack one-hot encodes them)."""
        return ids if self.embedding is None else self.embedding(ids)

    def forward(self, ids, state=None, lengths=None):
        """ids (T, B) -> logits (T, B, V), final state (h, or (h, c) for an LSTM)."""
        y, state = self.rnn.run(self.encode(ids), lengths, state)
        return self.head(y), state

    def file_config(self):
        return {"model": "lm", "tokenizer": self.tokenizer.config(), "embeddingSize": self.embedding_size,
                "rnn": self.config}

    def config_json(self):
        return dumps(self.file_config())

    def save(self, path, tokenizer=None, extra=(), metadata=None):
        """Write the checkpoint (float32), readable by `recur eval` / `recur generate` / this module.
        extra: more (name, np.ndarray) tensors (optim.*, train.*); metadata: more __metadata__."""
        from .models import save_module  # noqa: PLC0415 (models imports this file)
        if tokenizer is not None:
            if tokenizer.size != self.vocab_size:
                raise CheckpointError(f"save: the tokenizer has {tokenizer.size} tokens, the model {self.vocab_size}")
            self.tokenizer = tokenizer
        save_module(self, path, extra, metadata)

    @classmethod
    def load(cls, path):
        """A checkpoint written by recur or by save(); optim.* and train.* tensors are ignored."""
        from .models import load_file  # noqa: PLC0415
        model = load_file(path)
        if not isinstance(model, LanguageModel):
            raise CheckpointError(f'{path}: expected a language model checkpoint ("model": "lm"), got {model.recur_kind_description}')
        return model


def lm_from_config(o, what, loop=False):
    """A LanguageModel (initialised weights) for a "model": "lm" config."""
    from .text import Tokenizer  # noqa: PLC0415
    tok = Tokenizer.from_config(o.get("tokenizer"))
    E = o.get("embeddingSize")
    if E is not None and not (isinstance(E, int) and not isinstance(E, bool) and E >= 1):
        raise CheckpointError(f'{what}: "embeddingSize" must be a positive integer or null (one-hot), got {E!r}')
    try:
        return LanguageModel(tok, o.get("rnn"), E, loop)
    except CheckpointError as e:
        raise CheckpointError(f"{what}: {e}") from None


# --------------------------------------------------------------------------- what recur computes


@torch.no_grad()
def perplexity(model, text):
    """`recur eval`: one pass over the whole text from a zero state, token i+1 predicted from tokens
    0..i; mean cross-entropy (nats per token) and its exp. Logits in the model's dtype, the sum in
    float64."""
    model.eval()
    ids = model.tokenizer.encode_text(text, "text")
    if len(ids) < 2:
        raise CheckpointError(f"evaluation text: expected at least 2 tokens, got {len(ids)}")
    x = torch.tensor(ids[:-1], dtype=torch.int64).view(-1, 1)
    y = torch.tensor(ids[1:], dtype=torch.int64)
    logits, _ = model(x)
    total = F.cross_entropy(logits.view(-1, model.vocab_size).double(), y, reduction="sum").item()
    loss = total / len(y)
    return {"perplexity": math.exp(loss), "tokens": len(y), "loss": loss}


def _prefix_ids(model, prefix):
    tok = model.tokenizer
    if model.config["bidirectional"]:
        raise CheckpointError("a bidirectional model sees the future: it can score text but cannot generate it")
    ids = tok.encode(tokenize(prefix, tok.kind, tok.preprocess), "prefix")
    if not ids:
        extra = " (after d2l preprocessing: letters only)" if tok.preprocess == "d2l" else ""
        raise CheckpointError(f"prefix: expected at least one token, got {json.dumps(prefix)}{extra}")
    return ids


@torch.no_grad()
def _generate(model, prefix, length, choose):
    model.eval()
    tok = model.tokenizer
    ids = _prefix_ids(model, prefix)
    out = [tok.decode(ids)]
    state = None
    for i in ids[:-1]:  # warm-up: every prefix token but the last only updates the state
        _, state = model(torch.tensor([[i]]), state)
    cur = ids[-1]
    sep = "" if tok.kind == "char" else " "
    for _ in range(length):
        logits, state = model(torch.tensor([[cur]]), state)
        cur = choose(logits.view(-1))
        out.append(sep + tok.tokens[cur])
    return "".join(out)


def greedy(model, prefix, length, margins=None):
    """d2l's predict_ch8 with argmax (`recur generate --greedy`): the prefix (decoded: an unknown
    token prints as unk) followed by `length` tokens. `margins`, a list, receives top1 - top2 of
    the logits at every step."""
    def choose(logits):
        if margins is not None and logits.numel() > 1:
            top = torch.topk(logits, 2).values
            margins.append(float(top[0] - top[1]))
        return int(torch.argmax(logits))  # the first maximal index on ties, as recur
    return _generate(model, prefix, length, choose)


def sample(model, prefix, length, temperature=1.0, seed=0):
    """A draw at a temperature (torch's generator: not the same draws as recur's)."""
    g = torch.Generator().manual_seed(seed)
    return _generate(model, prefix, length,
                     lambda logits: int(torch.multinomial(torch.softmax(logits.double() / temperature, 0), 1, generator=g)))


def train(model, ids, steps, batch=32, bptt=35, lr=0.01, clip=1.0, seed=0, log=None):
    """A quick training: `steps` Adam updates on random windows of `bptt` tokens (d2l's random
    sampling), each from a zero state, global-norm clipping at `clip` (0 = off)."""
    g = torch.Generator().manual_seed(seed)
    data = torch.tensor(ids, dtype=torch.int64)
    bptt = min(bptt, len(ids) - 1)
    if bptt < 1:
        raise CheckpointError(f"training text: expected at least 2 tokens, got {len(ids)}")
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    offsets = torch.arange(bptt)
    model.train()
    for step in range(steps):
        starts = torch.randint(0, len(ids) - bptt, (batch,), generator=g)
        index = starts.view(1, -1) + offsets.view(-1, 1)  # (T, B)
        logits, _ = model(data[index])
        loss = F.cross_entropy(logits.reshape(-1, model.vocab_size), data[index + 1].reshape(-1))
        opt.zero_grad()
        loss.backward()
        if clip > 0:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        if log is not None:
            log(step + 1, loss.item())
    model.eval()
    return model

