#!/usr/bin/env python3
"""examples/gru-classifier.ts in PyTorch: the same model, data and budget, for the comparison in
docs/models.md. A 2-layer nn.GRU (H = 32) over packed sequences, h_n of the top layer → nn.Linear
→ 3 classes; Adam lr 0.01, global-norm clipping 1, batch 32, shuffled every epoch, 12 epochs.

    /usr/bin/python3 tools/examples/gru_classifier_torch.py [epochs] [seed]
"""
import json
import os
import pathlib
import sys

# one thread, pinned before torch loads (OpenBLAS and OpenMP otherwise spin on a busy machine)
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence  # noqa: E402

torch.set_num_threads(1)
ROOT = pathlib.Path(__file__).resolve().parents[2]


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(1, 32, num_layers=2)
        self.head = nn.Linear(32, 3)

    def forward(self, x, lengths):
        _, h_n = self.rnn(pack_padded_sequence(x, lengths, enforce_sorted=False))
        return self.head(h_n[-1])


def batch(xs, rows):
    seqs = [torch.tensor(xs[i], dtype=torch.float32).unsqueeze(1) for i in rows]
    return pad_sequence(seqs), torch.tensor([len(s) for s in seqs])


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    torch.manual_seed(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    data = json.loads((ROOT / "data" / "waves.json").read_text())
    train, test = data["train"], data["test"]
    model = Classifier()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    n = len(train["y"])
    for _ in range(epochs):
        order = torch.randperm(n).tolist()
        for s in range(0, n, 32):
            rows = order[s:s + 32]
            x, lengths = batch(train["x"], rows)
            loss = nn.functional.cross_entropy(model(x, lengths), torch.tensor([train["y"][i] for i in rows]))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
    with torch.no_grad():
        x, lengths = batch(test["x"], range(len(test["y"])))
        accuracy = (model(x, lengths).argmax(1) == torch.tensor(test["y"])).float().mean().item()
    print(f"held-out accuracy {100 * accuracy:.1f}% after {epochs} epochs")


if __name__ == "__main__":
    main()
