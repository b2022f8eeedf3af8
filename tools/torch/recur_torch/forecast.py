"""recur's forecaster files ("model": "forecast", src/timeseries/model-file.ts) as torch.nn.Modules: the
network on normalized values (the normalization, targets and exogenous column names ride along in
the config, written back unchanged).

    rnn | gru | lstm  x (W, B, m+1) → ŷ (W, B):  h = RNN(x) (recur's cells: a "gru" resets before),
                      ŷ_s = head(h_s)                                           (src/timeseries/seq.ts)
    tdnn              h_t^(l) = tanh(W^(l) [h_t^(l−1); h_{t−1}^(l−1); …; h_{t−K}^(l−1)] + b^(l)),
                      zeros before the start; ŷ = head(h)                        (src/timeseries/tdnn.ts)
    narx              r (B, R) regressors → ŷ (B): a⁰ = r, aˡ = tanh(Wˡ aˡ⁻¹ + bˡ), ŷ = Wᴸ aᴸ⁻¹ + bᴸ
                      (names net.{2l}.*, as nn.Sequential(Linear, Tanh, …, Linear))  (src/timeseries/mlp.ts)
    ar                r (B, p) lags → ŷ (B) = c + Σ_i φ_i r_i; ar.params (F64) = [c,] φ_1 … φ_p
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from .files import CheckpointError
from .recurrent import make_recurrent


def _ints(v, what, minimum):
    if not isinstance(v, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= minimum for d in v):
        raise CheckpointError(f"{what} must be a list of integers ≥ {minimum}, got {v!r}")
    return v


class Tdnn(nn.Module):
    """The TDNN stack: layer l's weight (O, (K+1)·I) multiplies [x_t; x_{t−1}; …; x_{t−K}]."""

    def __init__(self, inputs, layers):
        super().__init__()
        self.delays = []
        for i, (size, delays) in enumerate(layers):
            self.add_module(str(i), nn.Linear((delays + 1) * inputs, size))
            self.delays.append(delays)
            inputs = size

    def forward(self, x):
        for layer, K in zip(self.children(), self.delays):
            T = x.shape[0]
            padded = torch.cat([x.new_zeros((K,) + tuple(x.shape[1:])), x])  # zeros before the start
            u = torch.cat([padded[K - k : K - k + T] for k in range(K + 1)], dim=-1)  # (T, B, (K+1)·I)
            x = torch.tanh(layer(u))
        return x


class ForecastNet(nn.Module):
    """A forecaster's network; file_config() is the config it was made from."""

    def __init__(self, o, what="forecaster", loop=False):
        super().__init__()
        self.forecast_config = o
        kind = o.get("kind")
        self.kind = kind
        if kind == "ar":
            a = o.get("ar")
            if not isinstance(a, dict) or a.get("trend") not in ("c", "n"):
                raise CheckpointError(f'{what}: "ar" must be {{"lags": [...], "trend": "c" | "n"}}')
            k = (1 if a["trend"] == "c" else 0) + len(_ints(a.get("lags"), f"{what}: ar.lags", 1))
            self.ar = nn.Module()
            self.ar.register_parameter("params", nn.Parameter(0.3 * torch.randn(k, dtype=torch.float64)))
            self.trend = a["trend"] == "c"
        elif kind == "narx":
            n = o.get("narx")
            if not isinstance(n, dict):
                raise CheckpointError(f'{what}: a NARX checkpoint needs "narx"')
            m = n.get("exogSize")
            R = (m * len(_ints(n.get("inputDelays"), f"{what}: narx.inputDelays", 0)) if m else 0) + \
                len(_ints(n.get("feedbackDelays"), f"{what}: narx.feedbackDelays", 1))
            sizes = [R] + _ints(n.get("hidden"), f"{what}: narx.hidden", 1) + [1]
            mods = []
            for i in range(len(sizes) - 1):
                mods += [nn.Linear(sizes[i], sizes[i + 1]), nn.Tanh()]
            self.net = nn.Sequential(*mods[:-1])
        elif kind in ("rnn", "gru", "lstm", "tdnn"):
            s = o.get("seq")
            if not isinstance(s, dict) or s.get("kind") != kind:
                raise CheckpointError(f'{what}: a {kind} checkpoint needs "seq" with "kind": "{kind}"')
            F_in, H, L = s.get("exogSize", 0) + 1, s.get("hidden"), s.get("layers")
            if kind == "tdnn":
                self.tdnn = Tdnn(F_in, [(H, s.get("delays"))] * L)
            else:
                self.rnn = make_recurrent({"cell": kind, "inputSize": F_in, "hiddenSize": H, "numLayers": L}, f"{what}: seq", loop=loop)
            self.head = nn.Linear(H, 1)
        else:
            raise CheckpointError(f'{what}: "kind" must be one of ar, narx, tdnn, rnn, gru, lstm, got {kind!r}')

    def forward(self, x, lengths=None):
        """ŷ: (W, B) for a sequence model's windows x (W, B, m+1); (B) for regressors (B, R) of ar, narx."""
        if self.kind == "ar":
            p = self.ar.params.to(x.dtype)
            return (p[0] + x @ p[1:]) if self.trend else x @ p
        if self.kind == "narx":
            return self.net(x).squeeze(-1)
        h = self.tdnn(x) if self.kind == "tdnn" else self.rnn.run(x, lengths)[0]
        return self.head(h).squeeze(-1)

    def file_config(self):
        return self.forecast_config
