/**
 * @module kernels/wasm/threads.test
 * The threaded wasm backend beyond the kernel suite (which runs with every call cut): with its
 * default thresholds, real workloads give bitwise the same parameters on 2 threads as on 1 (every
 * element is computed by the same instructions in the same order, whoever computes it), many tiny
 * fork/joins in a row complete, a chunk that traps is rethrown on the calling thread, dispose
 * falls back to one thread, and threads are capped at the cores given.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BenchWorkload } from '../../models/bench-workload.js';
import { ARGS, CHUNK, CHUNKS, COUNT_ARG, OFFSETS, op, SCRATCH_ARG, TOTAL } from './jobs.js';
import { loadWasmKernels, type WasmKernels } from './index.js';
import type { WorkerPool } from './pool.js';

// the splitter's pool (a private of WasmKernels: this test posts raw jobs to it)
const poolOf = (k: WasmKernels): WorkerPool => (k as unknown as { s: { pool: WorkerPool } }).s.pool;

describe('wasm kernels on 2 threads', () => {
  for (const cell of ['lstm', 'gru', 'rnn'] as const) {
    test(`${cell}: training and generation give bitwise the same numbers as 1 thread`, async () => {
      const k1 = await loadWasmKernels({ threads: 1 });
      const k2 = await loadWasmKernels({ threads: 2, cores: 2 });
      try {
        assert.equal(k2.threads, 2);
        // odd sizes: chunk edges everywhere; large enough to pass the default thresholds
        const shape = { cell, hidden: 72, vocab: 61, batch: 19, steps: 13, lr: 0.5, seed: 5 };
        const w1 = new BenchWorkload(shape, k1);
        const w2 = new BenchWorkload(shape, k2);
        for (let i = 0; i < 3; i++) {
          const l1 = w1.trainStep(), l2 = w2.trainStep();
          assert.ok(Math.abs(l1 - l2) <= 1e-12 * Math.abs(l1), `loss ${l1} vs ${l2}`);
        }
        assert.deepEqual(w2.model.params.data, w1.model.params.data, 'parameters after 3 SGD steps');
        for (let i = 0; i < 20; i++) assert.equal(w2.generateStep(), w1.generateStep(), `token ${i}`);
        assert.ok(k2.parallelCalls > 0, 'calls were cut');
      } finally {
        k2.dispose();
      }
    });
  }

  test('many small fork/joins in a row; dispose falls back to one thread', async () => {
    const k = await loadWasmKernels({ threads: 2, cores: 2, split: { gemmFlops: 0, elements: 0, tune: false } });
    const a = k.alloc(64), b = k.alloc(64), c = k.alloc(64);
    a.fill(1);
    b.fill(2);
    for (let i = 0; i < 20000; i++) k.add(c, a, b, 64);
    assert.ok(c.every((x) => x === 3));
    assert.ok(k.parallelCalls >= 20000);
    k.dispose();
    assert.equal(k.threads, 1);
    k.add(c, c, b, 64);
    assert.ok(c.every((x) => x === 5));
  });

  test('a chunk that traps in a worker is rethrown by the caller, and the pool goes on', async () => {
    const k = await loadWasmKernels({ threads: 2, cores: 2, split: { gemmFlops: 0, elements: 0, tune: false } });
    try {
      const pool = poolOf(k);
      const d = pool.data;
      // add(out, a, b, n) over 2 chunks whose back chunk (the worker's) reads past the memory's end
      const end = k.heap.memory.buffer.byteLength;
      for (let i = 1; i <= ARGS; i++) d[i] = 0;
      d[0] = op('add'); d[1] = end - 64; d[2] = end - 64; d[3] = end - 64; d[4] = 32;
      d[TOTAL] = 32; d[CHUNK] = 16; d[CHUNKS] = 2; d[COUNT_ARG] = 4; d[SCRATCH_ARG] = 0; d[OFFSETS] = 3;
      d[21] = 1; d[22] = 4; d[23] = 2; d[24] = 4; d[25] = 3; d[26] = 4;
      let threw = 0;
      for (let i = 0; i < 20; i++) {
        try {
          pool.run();
        } catch (e) {
          threw++;
          assert.match((e as Error).message, /failed|out of bounds/);
        }
      }
      assert.equal(threw, 20);
      const x = k.alloc(4096).fill(1);
      k.add(x, x, x, 4096);
      assert.ok(x.every((v) => v === 2));
    } finally {
      k.dispose();
    }
  });

  test('threads are capped at the cores given; 1 thread starts no pool', async () => {
    const k = await loadWasmKernels({ threads: 8, cores: 2 });
    assert.equal(k.threads, 2);
    k.dispose();
    const one = await loadWasmKernels({ threads: 1 });
    assert.equal(one.threads, 1);
    await assert.rejects(loadWasmKernels({ threads: 0 }), /threads/);
  });
});
