// The vanishing section in the page: W_h scaled to ρ = 0.9 (all 16 eigenvalues inside the unit
// circle, the gradient falling), then the ρ = 1.2 preset (eigenvalues outside, the gradient growing);
// untrained cells: the LSTM's gradient falls ×0.58 per step with b_f = 0, ×0.78 with b_f = 1.
import assert from 'node:assert/strict';
import type { SectionCheck } from '../notes.js';

export const check: SectionCheck = {
  figures: {
    'vanishing-linear': {
      facts(f) {
        assert.ok(Math.abs(Number(f.spectralRadius) - 0.9) < 1e-9, `ρ = ${f.spectralRadius}`);
        assert.equal(f.eigenvalues, 16);
        assert.equal(f.outside, 0);
        assert.ok(Number(f.ratio) < 0.01 && Number(f.rate) < 1, `vanishing: ratio ${f.ratio}, rate ${f.rate}`);
      },
      preset: {
        index: 1, // ρ = 1.2: exploding
        facts(f) {
          assert.ok(Math.abs(Number(f.spectralRadius) - 1.2) < 1e-9, `ρ = ${f.spectralRadius}`);
          assert.ok(Number(f.outside) >= 1);
          assert.ok(Number(f.ratio) > 10 && Number(f.rate) > 1, `exploding: ratio ${f.ratio}, rate ${f.rate}`);
        },
      },
    },
    'vanishing-trained': {
      facts(f) {
        // T = 20, b_f = 0, seed 0 (recur task adding … --flow-every 200): the LSTM learns, the RNN does not
        assert.equal(f.T, 20);
        assert.equal(f.flowSteps, '0,200,400');
        assert.ok(Number(f.lstmFinalValLoss) < 0.02, `LSTM validation ${f.lstmFinalValLoss} (recur task: 0.0053)`);
        assert.ok(Number(f.rnnFinalValLoss) > 0.15, `tanh RNN validation ${f.rnnFinalValLoss}: stays near 0.167`);
        assert.ok(Number(f.lstmReachEnd) > 10 * Number(f.lstmReachStart), `LSTM reach ${f.lstmReachStart} → ${f.lstmReachEnd}`);
        assert.ok(Number(f.lstmReachEnd) > 100 * Number(f.rnnReachEnd), `reach at the end: LSTM ${f.lstmReachEnd}, RNN ${f.rnnReachEnd}`);
      },
      preset: {
        index: 0, // b_f = 1
        facts(f) {
          assert.equal(f.T, 20);
          assert.ok(Number(f.lstmReachStart) > 10 * Number(f.rnnReachStart), `b_f = 1 opens the LSTM at step 0: ${f.lstmReachStart} vs ${f.rnnReachStart}`);
          assert.ok(Number(f.lstmFinalValLoss) < 0.05 && Number(f.rnnFinalValLoss) > 0.1, `LSTM ${f.lstmFinalValLoss}, RNN ${f.rnnFinalValLoss}`);
        },
      },
    },
    'vanishing-gates': {
      facts(f) {
        assert.equal(f.forgetBias, 0);
        assert.ok(Math.abs(Number(f.lstmRate) - 0.58) < 0.01, `untrained LSTM, b_f = 0: ×${f.lstmRate} per step (recur gradients: 0.580)`);
        assert.ok(Math.abs(Number(f.rnnRate) - 0.451) < 0.01, `tanh RNN ×${f.rnnRate} (recur gradients: 0.451)`);
      },
      preset: {
        index: 0, // b_f = 1
        facts(f) {
          assert.equal(f.forgetBias, 1);
          assert.ok(Math.abs(Number(f.lstmRate) - 0.779) < 0.01, `b_f = 1: ×${f.lstmRate} (recur gradients: 0.779)`);
          assert.ok(Number(f.lstmRate) > Number(f.rnnRate));
        },
      },
    },
  },
};
