// The residual section in the page: over T = 100 steps the tanh RNN's gradient falls by more than
// ten decades while the residual cell's never drops below its start; the tanh RNN's state stays
// under √H while the residual one grows at most √H per step, and close to that.
import assert from 'node:assert/strict';
import type { SectionCheck } from '../notes.js';

export const check: SectionCheck = {
  figures: {
    'residual-gradients': {
      facts(f) {
        assert.equal(f.steps, 100);
        assert.ok(Number(f.rnnRatio) < 1e-10, `tanh RNN ratio ${f.rnnRatio}`);
        assert.ok(Number(f.residualMin) > 0.5 && Number(f.residualRatio) >= 1, `residual: min ${f.residualMin}, ratio ${f.residualRatio}`);
      },
      preset: {
        index: 0, // ρ = 0.5: the tanh RNN vanishes faster still; the residual cell keeps its gradient
        facts(f) {
          assert.equal(f.radius, 0.5);
          assert.ok(Number(f.rnnRatio) < 1e-30, `tanh RNN ratio ${f.rnnRatio}`);
          assert.ok(Number(f.residualMin) > 0.5, `residual min ${f.residualMin}`);
        },
      },
    },
    'residual-state': {
      facts(f) {
        assert.equal(f.bound, 4); // √16
        assert.ok(Number(f.rnnMax) <= 4, `tanh RNN ‖h‖ ${f.rnnMax}`);
        assert.ok(Number(f.residualLast) > 40, `residual ‖h_T‖ ${f.residualLast}`);
        assert.ok(Number(f.slopeOverBound) > 0.5 && Number(f.slopeOverBound) <= 1, `slope / √H ${f.slopeOverBound}`);
      },
      preset: {
        index: 2, // H = 64: √H = 8, the residual state grows twice as fast
        facts(f) {
          assert.equal(f.bound, 8);
          assert.ok(Number(f.rnnMax) <= 8, `tanh RNN ‖h‖ ${f.rnnMax}`);
          assert.ok(Number(f.residualLast) > 400, `residual ‖h_T‖ ${f.residualLast}`);
        },
      },
    },
  },
};
