// The gates section in the page: an LSTM (H = 32) trained 4 epochs on The Time Machine, traced over
// 200 held-out characters; the GRU preset (index 1) traces update gates instead.
import assert from 'node:assert/strict';
import type { SectionCheck } from '../notes.js';

export const check: SectionCheck = {
  figures: {
    'gates-text': {
      facts(f) {
        assert.equal(f.cell, 'lstm');
        assert.equal(f.T, 200);
        assert.equal(f.H, 32);
        assert.equal(f.epochs, 4);
        assert.ok(Math.abs(Number(f.histSum) - 1) < 1e-9, `histogram sums to ${f.histSum}`);
        // trained: better than a uniform guess over 28 characters, and better than after epoch 1
        assert.ok(Number(f.meanSurprise) < Math.log(28), `mean surprise ${f.meanSurprise}`);
        assert.ok(Number(f.valPerplexity) < Number(f.firstValPerplexity), `perplexity ${f.firstValPerplexity} → ${f.valPerplexity}`);
        assert.ok(Number(f.unitGate0) > 0 && Number(f.unitGate0) < 1);
      },
      preset: {
        index: 1, // GRU
        facts(f) {
          assert.equal(f.cell, 'gru');
          assert.equal(f.T, 200);
          assert.ok(Number(f.meanSurprise) < Math.log(28), `mean surprise ${f.meanSurprise}`);
        },
      },
    },
  },
};
