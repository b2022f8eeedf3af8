// The BPTT section in the page: T = 10, the paths from L9 with a window of 4 (6 of 10 paths cut,
// most of the size kept at ρ = 1), then ρ = 1.8 with the full window (every path kept, the far ones
// larger).
import assert from 'node:assert/strict';
import type { SectionCheck } from '../notes.js';

export const check: SectionCheck = {
  figures: {
    'bptt-unrolled': {
      facts(f) {
        assert.deepEqual([f.T, f.loss, f.window, f.paths, f.cut], [10, 9, 4, 10, 6]);
        assert.ok(Math.abs(Number(f.nearest) - Math.sqrt(8)) < 1e-12, `‖∂L9/∂h9‖ = ‖1‖ = √8: ${f.nearest}`);
        assert.ok(Number(f.farthest) < Number(f.nearest) && Number(f.kept) > 0.5 && Number(f.kept) < 1, `kept ${f.kept}`);
      },
      preset: {
        index: 2, // ρ = 1.8, K = T
        facts(f) {
          assert.deepEqual([f.window, f.cut, f.kept], [10, 0, 1]);
          assert.ok(Number(f.farthest) > 0.2, `‖∂L9/∂h0‖ = ${f.farthest} (0.087 at ρ = 1)`);
        },
      },
    },
  },
};
