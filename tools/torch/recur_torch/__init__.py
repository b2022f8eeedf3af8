"""recur's model files in PyTorch, both ways (tools/torch/README.md).

    import sys; sys.path.insert(0, "tools/torch")
    import recur_torch as rt
    m = rt.load_file("model.safetensors")     # any recur model: stack, language model, composed, forecaster
    y = m(x, lengths)                         # the output recur computes
    rt.save_module(m, "copy.safetensors")     # and back: recur's loadModel / loadLm / loadStack read it
"""

from .files import (CONFIG_KEY, DATA_KEY, TRAIN_KEY, CheckpointError, read_config, read_safetensors,  # noqa: F401
                    write_safetensors)
from .layers import build_layer  # noqa: F401
from .lm import LanguageModel, greedy, perplexity, sample, train  # noqa: F401
from .models import file_config, load_file, load_tensors, module_from_config, save_module, save_state_dict  # noqa: F401
from .recurrent import LoopRecurrent, make_recurrent, native, parse_config  # noqa: F401
from .text import REPO, SHIPPED_TEXTS, Tokenizer, preprocess_d2l, read_text, tokenize  # noqa: F401
