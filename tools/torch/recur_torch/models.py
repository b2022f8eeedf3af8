"""Any recur model file as a torch.nn.Module, and a module back to a recur file.

    load_file(path)            the module for the file's "recur.config", its weights loaded:
                                 a bare stack config          → the recurrent stack (names weight_ih_l0, ...)
                                 "model": "lm"                → lm.LanguageModel (embedding, rnn, head)
                                 "model": "layers"            → layers.build_layer(root) (the tree's names)
                                 "model": "forecast"          → forecast.ForecastNet (rnn/tdnn/net, head)
    module_from_config(o)      the same module with fresh (PyTorch-initialised) weights
    save_module(m, path)       config and float32 tensors, readable by recur (loadModel, loadLm,
                               loadStack, loadForecaster, `recur eval|generate|run|forecast`)
    save_state_dict(sd, o, p)  any module's state_dict (your own nn.GRU + nn.Linear) as a recur file of
                               config o, its names and shapes checked against the config first

Every tensor is checked by name and shape before any is used; optim.* and train.* (a training
run's state) are skipped where recur allows them (language models and composed models).
"""

import numpy as np
import torch

from .files import CONFIG_KEY, CheckpointError, dumps, read_config, read_safetensors, write_safetensors
from .layers import build_layer
from .lm import LanguageModel, lm_from_config
from .recurrent import make_recurrent

KINDS = {"stack": "a recurrent stack", "lm": "a language model", "layers": "a composed model", "forecast": "a forecaster"}


def module_from_config(o, what="model", loop=False):
    """A module with fresh weights for a file's "recur.config" (a dict). `loop`: recurrent layers
    as LoopRecurrent even where torch has the cell (to check one against the other)."""
    kind = o.get("model")
    if kind is None:
        m = make_recurrent(o, f"{what}: {CONFIG_KEY}", loop=loop)
        m.recur_kind = "stack"
    elif kind == "lm":
        m = lm_from_config(o, what, loop)
        m.recur_kind = "lm"
    elif kind == "layers":
        if not isinstance(o.get("root"), dict):
            raise CheckpointError(f'{what}: "root" must be the model\'s layer config (an object)')
        m = build_layer(o["root"], None, "root", loop)
        m.recur_kind = "layers"
    elif kind == "forecast":
        from .forecast import ForecastNet  # noqa: PLC0415
        m = ForecastNet(o, what, loop)
        m.recur_kind = "forecast"
    else:
        raise CheckpointError(f'{what}: unknown "model" {dumps(kind)}; expected "layers", "lm", "forecast", or a recurrent stack\'s config')
    m.recur_kind_description = KINDS[m.recur_kind]
    return m


def load_file(path, dtype=torch.float32, loop=False):
    """The module of a recur file with its weights, in eval mode, parameters in `dtype`."""
    tensors, meta = read_safetensors(path)
    m = module_from_config(read_config(meta, path), path, loop)
    load_tensors(m, tensors, path)
    return m.to(dtype).eval()


def load_tensors(m, tensors, what):
    """Load a file's tensors (name -> np.ndarray) into m, every name and shape checked first."""
    want = m.state_dict()
    skip = ("optim.", "train.") if m.recur_kind in ("lm", "layers") else ()
    state = {}
    for name, arr in tensors.items():
        if skip and name.startswith(skip):
            continue
        if name not in want:
            also = " (and optim.*, train.*)" if skip else ""
            raise CheckpointError(f'{what}: unexpected tensor "{name}"; expected {", ".join(want)}{also}')
        if tuple(arr.shape) != tuple(want[name].shape):
            raise CheckpointError(f'{what}: tensor "{name}": expected shape {tuple(want[name].shape)}, got {tuple(arr.shape)}')
        state[name] = torch.from_numpy(np.array(arr, dtype=np.float64)).to(want[name].dtype)
    missing = [n for n in want if n not in state]
    if missing:
        raise CheckpointError(f"{what}: missing tensors {', '.join(missing)}")
    m.load_state_dict(state)


def file_config(m):
    """The "recur.config" of a module made here (module_from_config, load_file, LanguageModel)."""
    kind = getattr(m, "recur_kind", "lm" if isinstance(m, LanguageModel) else None)
    if kind == "lm":
        return m.file_config()
    if kind == "layers":
        return {"model": "layers", "root": m.config}
    if kind == "stack":
        return m.config
    if kind == "forecast":
        return m.file_config()
    raise CheckpointError("save: expected a module made by recur_torch (load_file, module_from_config, LanguageModel)")


def save_module(m, path, extra=(), metadata=None):
    """Write m as a recur file: float32 tensors under their state_dict names, then `extra`
    ((name, np.ndarray) pairs: optim.*, train.*), and "recur.config" (+ `metadata`)."""
    def keep(name):  # an AR model's coefficients are F64 in recur's files
        return torch.float64 if name == "ar.params" else torch.float32
    tensors = [(name, t.detach().to(keep(name)).cpu().contiguous().numpy()) for name, t in m.state_dict().items()]
    meta = dict(metadata or {})
    meta[CONFIG_KEY] = dumps(file_config(m))
    write_safetensors(path, tensors + list(extra), meta)


def save_state_dict(state_dict, config, path, metadata=None):
    """Write the state_dict of any module (its names must be the config's: a layer named "rnn"
    holds rnn.weight_ih_l0, ...) as a recur file whose "recur.config" is `config`. Returns the
    recur_torch module holding those weights."""
    m = module_from_config(config, "config")
    load_tensors(m, {name: t.detach().cpu().double().numpy() for name, t in state_dict.items()}, "state_dict")
    save_module(m, path, (), metadata)
    return m
