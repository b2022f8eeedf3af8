#!/usr/bin/python3
"""Fixtures for recur's ONNX import (src/onnx/import), so that its tests need no Python.

  /usr/bin/python3 tools/onnx/make_import_fixtures.py     # Debian's python3-torch 1.13, python3-onnx 1.12

Writes test/fixtures/onnx/:
  torch/<name>/model.onnx      a module exported by torch.onnx.export (opset 14, batch and time dynamic):
                               stacks, classifiers (last step, final state, mean/max over time), taggers
  torch/<name>/expected.json   the inputs it was run on and PyTorch's outputs (float32 values)
  packed/<name>/...            one ONNX RNN/GRU/LSTM node with sequence_lens, built with onnx.helper from a
                               torch module's weights; expected = the module on a packed sequence
                               (torch.onnx.export cannot export pack_padded_sequence)
  node/<test>/...              ONNX's own operator test cases (model.onnx + test_data_set_0/*.pb),
                               copied from Debian's libonnx-testdata (Apache-2.0, see node/README.md)

expected.json: {"inputs": [{"name", "dtype": "float32"|"int64", "shape", "data"}],
                "outputs": [{"name", "shape", "data"}], "about": "..."}
Every value is rounded to float32 (the model's precision); the test compares to 1e-5.
"""
import json
import os
import shutil
import sys

import numpy as np
import onnx
import torch
from onnx import helper, TensorProto, numpy_helper
from torch import nn

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'onnx')
NODE_DATA = '/usr/share/libonnx-testdata/data/node'
NODE_TESTS = [
    'test_simple_rnn_defaults', 'test_simple_rnn_with_initial_bias', 'test_simple_rnn_batchwise', 'test_rnn_seq_length',
    'test_gru_defaults', 'test_gru_with_initial_bias', 'test_gru_seq_length', 'test_gru_batchwise',
    'test_lstm_defaults', 'test_lstm_with_initial_bias', 'test_lstm_batchwise', 'test_lstm_with_peepholes',
]
OPSET = 14
I, H, E, V, C = 3, 4, 3, 7, 2   # input, hidden, embedding, vocabulary, classes
T, B = 5, 2


def cell_module(cell, input_size, layers, bi, batch_first, nonlinearity='tanh'):
    kw = dict(num_layers=layers, bidirectional=bi, batch_first=batch_first)
    if cell == 'rnn':
        return nn.RNN(input_size, H, nonlinearity=nonlinearity, **kw)
    return {'gru': nn.GRU, 'lstm': nn.LSTM}[cell](input_size, H, **kw)


class Stack(nn.Module):
    """The bare stack: x (and optionally h0, c0) in; y, h_n (and c_n) out."""
    def __init__(self, cell, layers, bi, batch_first, nonlinearity='tanh', states_in=False):
        super().__init__()
        self.rnn = cell_module(cell, I, layers, bi, batch_first, nonlinearity)
        self.lstm = cell == 'lstm'
        self.states_in = states_in

    def forward(self, x, *states):
        if self.states_in:
            y, s = self.rnn(x, (states[0], states[1]) if self.lstm else states[0])
        else:
            y, s = self.rnn(x)
        return (y, *s) if self.lstm else (y, s)


class Classifier(nn.Module):
    """Embedding -> stack -> last step of the top layer -> Linear: the logits of each sequence."""
    def __init__(self, cell, layers, bi, batch_first):
        super().__init__()
        self.embedding = nn.Embedding(V, E)
        self.rnn = cell_module(cell, E, layers, bi, batch_first)
        self.head = nn.Linear(H * (2 if bi else 1), C)
        self.batch_first = batch_first

    def forward(self, tokens):
        y, _ = self.rnn(self.embedding(tokens))
        last = y[:, -1] if self.batch_first else y[-1]
        return self.head(last)


class FinalStateClassifier(nn.Module):
    """Stack -> h_n of the top layer (both directions concatenated) -> Linear."""
    def __init__(self, cell, layers, bi):
        super().__init__()
        self.rnn = cell_module(cell, I, layers, bi, False)
        self.head = nn.Linear(H * (2 if bi else 1), C)
        self.bi = bi
        self.lstm = cell == 'lstm'

    def forward(self, x):
        _, s = self.rnn(x)
        h = s[0] if self.lstm else s
        top = torch.cat([h[-2], h[-1]], dim=1) if self.bi else h[-1]
        return self.head(top)


class Tagger(nn.Module):
    """Embedding -> stack -> Linear at every step: the tag scores of each token."""
    def __init__(self, cell, layers, bi, batch_first):
        super().__init__()
        self.embedding = nn.Embedding(V, E)
        self.rnn = cell_module(cell, E, layers, bi, batch_first)
        self.head = nn.Linear(H * (2 if bi else 1), C)

    def forward(self, tokens):
        y, _ = self.rnn(self.embedding(tokens))
        return self.head(y)


class Pooled(nn.Module):
    """Embedding -> bidirectional stack -> mean or max over time -> Linear."""
    def __init__(self, cell, mode):
        super().__init__()
        self.embedding = nn.Embedding(V, E)
        self.rnn = cell_module(cell, E, 1, True, False)
        self.head = nn.Linear(2 * H, C)
        self.mode = mode

    def forward(self, tokens):
        y, _ = self.rnn(self.embedding(tokens))
        pooled = y.mean(dim=0) if self.mode == 'mean' else torch.amax(y, dim=0)
        return self.head(pooled)


class DeepHead(nn.Module):
    """A 3-layer stack without biases, batch_first -> h_n[-1] -> Linear, ReLU, Linear, Tanh."""
    def __init__(self, cell):
        super().__init__()
        self.rnn = {'rnn': nn.RNN, 'gru': nn.GRU, 'lstm': nn.LSTM}[cell](I, H, num_layers=3, bias=False, batch_first=True)
        self.head = nn.Sequential(nn.Linear(H, 5), nn.ReLU(), nn.Linear(5, C), nn.Tanh())
        self.lstm = cell == 'lstm'

    def forward(self, x):
        _, s = self.rnn(x)
        return self.head((s[0] if self.lstm else s)[-1])


def f32(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32).reshape(-1)]


def entry(name, t):
    a = t.detach().numpy()
    dtype = 'int64' if a.dtype == np.int64 else 'float32'
    data = [int(v) for v in a.reshape(-1)] if dtype == 'int64' else f32(a)
    return {'name': name, 'dtype': dtype, 'shape': list(a.shape), 'data': data}


def export(name, module, inputs, input_names, output_names, dynamic, about, opset=OPSET, fold=True):
    module.eval()
    with torch.no_grad():
        outs = module(*inputs)
    outs = outs if isinstance(outs, tuple) else (outs,)
    d = os.path.join(ROOT, 'torch', name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, 'model.onnx')
    torch.onnx.export(module, tuple(inputs), path, opset_version=opset, input_names=input_names,
                      output_names=output_names, dynamic_axes=dynamic, do_constant_folding=fold)
    onnx.checker.check_model(onnx.load(path))
    expected = {'about': about, 'torch': torch.__version__, 'opset': opset, 'constant_folding': fold,
                'inputs': [entry(n, t) for n, t in zip(input_names, inputs)],
                'outputs': [entry(n, t) for n, t in zip(output_names, outs)]}
    with open(os.path.join(d, 'expected.json'), 'w') as f:
        json.dump(expected, f, separators=(',', ':'))
    ops = sorted({n.op_type for n in onnx.load(path).graph.node})
    print(f'{name}: {" ".join(ops)}')


def seq_axes(batch_first):
    return {0: 'batch', 1: 'time'} if batch_first else {0: 'time', 1: 'batch'}


def make_torch():
    g = torch.Generator().manual_seed(0)
    for cell, nl in [('rnn', 'tanh'), ('rnn', 'relu'), ('gru', 'tanh'), ('lstm', 'tanh')]:
        tag = cell if cell != 'rnn' else f'rnn_{nl}'
        lstm = cell == 'lstm'
        for layers, bi, bf, states in [(1, False, False, False), (2, True, False, True), (3, False, True, True), (1, True, True, False)]:
            torch.manual_seed(len(tag) * 100 + layers * 10 + bi * 2 + bf)
            name = f'{tag}_l{layers}{"_bi" if bi else ""}{"_bf" if bf else ""}{"_h0" if states else ""}'
            m = Stack(cell, layers, bi, bf, nl, states)
            x = torch.randn(*((B, T, I) if bf else (T, B, I)), generator=g)
            ins, names = [x], ['x']
            dyn = {'x': seq_axes(bf), 'y': seq_axes(bf), 'h_n': {1: 'batch'}}
            if states:
                S = layers * (2 if bi else 1)
                ins.append(torch.randn(S, B, H, generator=g) * 0.5)
                names.append('h0')
                dyn['h0'] = {1: 'batch'}
                if lstm:
                    ins.append(torch.randn(S, B, H, generator=g) * 0.5)
                    names.append('c0')
                    dyn['c0'] = {1: 'batch'}
            outs = ['y', 'h_n'] + (['c_n'] if lstm else [])
            if lstm:
                dyn['c_n'] = {1: 'batch'}
            export(name, m, ins, names, outs, dyn,
                   f'nn.{cell.upper()}({I}, {H}, num_layers={layers}, bidirectional={bi}, batch_first={bf}'
                   f'{", nonlinearity=" + repr(nl) if cell == "rnn" else ""}); initial states {"given" if states else "zero"}')
    for cell in ['gru', 'lstm', 'rnn']:
        torch.manual_seed(7 + len(cell))
        for bf in [False, True]:
            tokens = torch.randint(0, V, (B, T) if bf else (T, B), generator=g)
            export(f'{cell}_classifier{"_bf" if bf else ""}', Classifier(cell, 2, True, bf), [tokens], ['tokens'], ['logits'],
                   {'tokens': seq_axes(bf), 'logits': {0: 'batch'}},
                   f'Embedding({V}, {E}) -> nn.{cell.upper()} 2 layers bidirectional batch_first={bf} -> last step -> Linear({2 * H}, {C})')
        tokens = torch.randint(0, V, (T, B), generator=g)
        export(f'{cell}_tagger', Tagger(cell, 1, cell == 'lstm', False), [tokens], ['tokens'], ['scores'],
               {'tokens': seq_axes(False), 'scores': seq_axes(False)},
               f'Embedding({V}, {E}) -> nn.{cell.upper()} -> Linear at every step')
        x = torch.randn(T, B, I, generator=g)
        export(f'{cell}_final_state', FinalStateClassifier(cell, 2, True), [x], ['x'], ['logits'],
               {'x': seq_axes(False), 'logits': {0: 'batch'}},
               f'nn.{cell.upper()} 2 layers bidirectional -> cat(h_n[-2], h_n[-1]) -> Linear({2 * H}, {C})')
    g2 = torch.Generator().manual_seed(2)
    for cell, mode in [('gru', 'mean'), ('lstm', 'max')]:
        torch.manual_seed(11)
        tokens = torch.randint(0, V, (T, B), generator=g2)
        export(f'{cell}_{mode}_pool', Pooled(cell, mode), [tokens], ['tokens'], ['logits'],
               {'tokens': seq_axes(False), 'logits': {0: 'batch'}},
               f'Embedding({V}, {E}) -> nn.{cell.upper()} bidirectional -> {mode} over time -> Linear({2 * H}, {C})')
    torch.manual_seed(13)
    x = torch.randn(B, T, I, generator=g2)
    export('gru_deep_head_nobias_bf', DeepHead('gru'), [x], ['x'], ['out'], {'x': seq_axes(True), 'out': {0: 'batch'}},
           f'nn.GRU({I}, {H}, num_layers=3, bias=False, batch_first=True) -> h_n[-1] -> Linear, ReLU, Linear, Tanh; opset 13',
           opset=13)
    # an old opset (Slice and Squeeze with attributes) without constant folding: the gate blocks are
    # sliced and concatenated by nodes of the graph, not stored reordered
    torch.manual_seed(12)
    tokens = torch.randint(0, V, (T, B), generator=g2)
    export('lstm_classifier_opset9_nofold', Classifier('lstm', 2, True, False), [tokens], ['tokens'], ['logits'],
           {'tokens': seq_axes(False), 'logits': {0: 'batch'}},
           f'Embedding({V}, {E}) -> nn.LSTM 2 layers bidirectional -> last step -> Linear({2 * H}, {C}); opset 9, no constant folding',
           opset=9, fold=False)


# ONNX's gate blocks from PyTorch's: GRU r,z,n -> z,r,h; LSTM i,f,g,o -> i,o,f,c
ONNX_BLOCKS = {'rnn': [0], 'gru': [1, 0, 2], 'lstm': [0, 3, 1, 2]}


def onnx_weights(m, cell, bi):
    order = ONNX_BLOCKS[cell]
    def perm(w):
        return np.concatenate([w[k * H:(k + 1) * H] for k in order], axis=0)
    sfx = [''] + (['_reverse'] if bi else [])
    get = lambda n: getattr(m, n).detach().numpy()
    W = np.stack([perm(get('weight_ih_l0' + s)) for s in sfx])
    R = np.stack([perm(get('weight_hh_l0' + s)) for s in sfx])
    Bb = np.stack([np.concatenate([perm(get('bias_ih_l0' + s)), perm(get('bias_hh_l0' + s))]) for s in sfx])
    return W, R, Bb


def make_packed():
    """One node with sequence_lens (and initial states), expected from PyTorch's packed sequences."""
    g = torch.Generator().manual_seed(1)
    lens = torch.tensor([5, 3, 1])
    Bp = 3
    for cell, bi in [('rnn', True), ('gru', True), ('lstm', True), ('lstm', False)]:
        torch.manual_seed(3 + bi)
        m = cell_module(cell, I, 1, bi, False)
        m.eval()
        Dn = 2 if bi else 1
        x = torch.randn(T, Bp, I, generator=g)
        h0 = torch.randn(Dn, Bp, H, generator=g) * 0.5
        c0 = torch.randn(Dn, Bp, H, generator=g) * 0.5
        with torch.no_grad():
            packed = nn.utils.rnn.pack_padded_sequence(x, lens, enforce_sorted=False)
            out, s = m(packed, (h0, c0) if cell == 'lstm' else h0)
            y, _ = nn.utils.rnn.pad_packed_sequence(out, total_length=T)     # (T,B,D*H), zero past each length
        yd = y.reshape(T, Bp, Dn, H).permute(0, 2, 1, 3)                      # ONNX's Y (T,D,B,H)
        W, R, Bb = onnx_weights(m, cell, bi)
        op = cell.upper()
        inputs = ['x', 'W', 'R', 'B', 'sequence_lens', 'initial_h'] + (['initial_c'] if cell == 'lstm' else [])
        outputs = ['Y', 'Y_h'] + (['Y_c'] if cell == 'lstm' else [])
        attrs = dict(hidden_size=H, direction='bidirectional' if bi else 'forward')
        if cell == 'gru':
            attrs['linear_before_reset'] = 1
        node = helper.make_node(op, inputs, outputs, name=f'{cell}_node', **attrs)
        fl = TensorProto.FLOAT
        vi = lambda n, shape, t=fl: helper.make_tensor_value_info(n, t, shape)
        graph = helper.make_graph(
            [node], f'packed_{cell}',
            [vi('x', ['time', 'batch', I]), vi('sequence_lens', ['batch'], TensorProto.INT32),
             vi('initial_h', [Dn, 'batch', H])] + ([vi('initial_c', [Dn, 'batch', H])] if cell == 'lstm' else []),
            [vi('Y', ['time', Dn, 'batch', H]), vi('Y_h', [Dn, 'batch', H])] + ([vi('Y_c', [Dn, 'batch', H])] if cell == 'lstm' else []),
            [numpy_helper.from_array(W, 'W'), numpy_helper.from_array(R, 'R'), numpy_helper.from_array(Bb, 'B')])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', OPSET)], producer_name='recur make_import_fixtures')
        model.ir_version = 7
        onnx.checker.check_model(model)
        name = f'{cell}{"_bi" if bi else ""}_seq_lens'
        d = os.path.join(ROOT, 'packed', name)
        os.makedirs(d, exist_ok=True)
        onnx.save(model, os.path.join(d, 'model.onnx'))
        lens_entry = {'name': 'sequence_lens', 'dtype': 'int32', 'shape': [Bp], 'data': [int(v) for v in lens]}
        ins = [entry('x', x), lens_entry, entry('initial_h', h0)] + ([entry('initial_c', c0)] if cell == 'lstm' else [])
        outs = [entry('Y', yd), entry('Y_h', s[0] if cell == 'lstm' else s)] + ([entry('Y_c', s[1])] if cell == 'lstm' else [])
        with open(os.path.join(d, 'expected.json'), 'w') as f:
            json.dump({'about': f'one ONNX {op} node ({attrs["direction"]}) with sequence_lens {lens.tolist()}; expected: '
                                f'nn.{op} on pack_padded_sequence, h0{"/c0" if cell == "lstm" else ""} given',
                       'torch': torch.__version__, 'opset': OPSET, 'inputs': ins, 'outputs': outs}, f, separators=(',', ':'))
        print(f'packed/{name}')


def make_packed_chains():
    """x and sequence_lens in, a chain out (the layout of recur's own models with lengths): a bidirectional
    GRU -> cat(h_n[-2], h_n[-1]) -> Linear, and an LSTM -> its padded sequence (T,B,2H) -> Linear per step.
    Built with onnx.helper (torch.onnx.export cannot export packed sequences); expected from PyTorch."""
    g = torch.Generator().manual_seed(4)
    lens = torch.tensor([4, 5, 2])
    Bp = 3
    fl = TensorProto.FLOAT
    vi = lambda n, shape, t=fl: helper.make_tensor_value_info(n, t, shape)
    const = lambda name, v: helper.make_node('Constant', [], [name], name=name, value=numpy_helper.from_array(np.array(v, dtype=np.int64), name))
    for cell, final in [('gru', True), ('lstm', False)]:
        torch.manual_seed(21)
        m = cell_module(cell, I, 1, True, False)
        head = nn.Linear(2 * H, C)
        m.eval()
        x = torch.randn(T, Bp, I, generator=g)
        with torch.no_grad():
            out, s = m(nn.utils.rnn.pack_padded_sequence(x, lens, enforce_sorted=False))
            h = s[0] if cell == 'lstm' else s
            y, _ = nn.utils.rnn.pad_packed_sequence(out, total_length=T)
            want = head(torch.cat([h[-2], h[-1]], dim=1)) if final else head(y)
        W, R, Bb = onnx_weights(m, cell, True)
        attrs = dict(hidden_size=H, direction='bidirectional', **({'linear_before_reset': 1} if cell == 'gru' else {}))
        nodes = [helper.make_node(cell.upper(), ['x', 'W', 'R', 'B', 'lengths'], ['Y', 'Y_h'], name='rnn', **attrs)]
        if final:   # Y_h (2,B,H) -> (B,2,H) -> (B,2H) -> Gemm
            nodes += [helper.make_node('Transpose', ['Y_h'], ['hT'], name='t', perm=[1, 0, 2]), const('shape', [0, -1]),
                      helper.make_node('Reshape', ['hT', 'shape'], ['hB'], name='r'),
                      helper.make_node('Gemm', ['hB', 'head.weight', 'head.bias'], ['out'], name='head', transB=1)]
        else:       # Y (T,2,B,H) -> (T,B,2,H) -> (T,B,2H) -> MatMul + Add
            nodes += [helper.make_node('Transpose', ['Y'], ['yT'], name='t', perm=[0, 2, 1, 3]), const('shape', [0, 0, -1]),
                      helper.make_node('Reshape', ['yT', 'shape'], ['yB'], name='r'),
                      helper.make_node('MatMul', ['yB', 'head.weightT'], ['z'], name='head'),
                      helper.make_node('Add', ['z', 'head.bias'], ['out'], name='bias')]
        hw = head.weight.detach().numpy()
        inits = [numpy_helper.from_array(W, 'W'), numpy_helper.from_array(R, 'R'), numpy_helper.from_array(Bb, 'B'),
                 numpy_helper.from_array(head.bias.detach().numpy(), 'head.bias'),
                 numpy_helper.from_array(hw if final else np.ascontiguousarray(hw.T), 'head.weight' if final else 'head.weightT')]
        graph = helper.make_graph(nodes, f'packed_{cell}_chain', [vi('x', ['time', 'batch', I]), vi('lengths', ['batch'], TensorProto.INT32)],
                                  [vi('out', ['batch', C] if final else ['time', 'batch', C])], inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', OPSET)], producer_name='recur make_import_fixtures')
        model.ir_version = 7
        onnx.checker.check_model(model)
        name = f'{cell}_bi_lengths_{"final" if final else "sequence"}'
        d = os.path.join(ROOT, 'packed', name)
        os.makedirs(d, exist_ok=True)
        onnx.save(model, os.path.join(d, 'model.onnx'))
        ins = [entry('x', x), {'name': 'lengths', 'dtype': 'int32', 'shape': [Bp], 'data': [int(v) for v in lens]}]
        with open(os.path.join(d, 'expected.json'), 'w') as f:
            json.dump({'about': f'x, lengths {lens.tolist()} -> bidirectional nn.{cell.upper()} on a packed sequence -> '
                                + ('cat(h_n[-2], h_n[-1]) -> Linear' if final else 'padded y -> Linear per step'),
                       'torch': torch.__version__, 'opset': OPSET, 'inputs': ins, 'outputs': [entry('out', want)]}, f, separators=(',', ':'))
        print(f'packed/{name}')


def copy_node_tests():
    if not os.path.isdir(NODE_DATA):
        sys.exit(f'{NODE_DATA} absent: apt-get install libonnx-testdata')
    for t in NODE_TESTS:
        dst = os.path.join(ROOT, 'node', t)
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(os.path.join(NODE_DATA, t), dst)
    print(f'node: {len(NODE_TESTS)} operator test cases')


if __name__ == '__main__':
    torch.set_num_threads(1)
    make_torch()
    make_packed()
    make_packed_chains()
    copy_node_tests()
