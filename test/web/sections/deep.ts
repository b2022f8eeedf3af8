// The deep-and-bidirectional section in the page: on the next-digit tagging task the left-to-right
// tagger stays near the current-digit rule (~74%) while the bidirectional one passes 95%; the
// bidirectional character model's training perplexity falls to near 1, several times below the
// left-to-right one's, before it is asked to write.
import assert from 'node:assert/strict';
import type { SectionCheck } from '../notes.js';

export const check: SectionCheck = {
  figures: {
    'deep-tagger': {
      facts(f) {
        assert.equal(f.epochs, 5);
        assert.ok(Number(f.rule) > 0.7 && Number(f.rule) < 0.8, `rule ${f.rule}`);
        assert.ok(Number(f.uniBest) < Number(f.rule) + 0.03, `left-to-right ${f.uniBest} cannot beat the rule ${f.rule}`);
        assert.ok(Number(f.bi) > 0.95, `bidirectional ${f.bi}`);
      },
      preset: {
        index: 1, // the simple tanh RNN: the bidirectional one still wins
        facts(f) {
          assert.ok(Number(f.uniBest) < Number(f.rule) + 0.03, `left-to-right ${f.uniBest}`);
          assert.ok(Number(f.bi) > Number(f.uni) + 0.1, `bidirectional ${f.bi} against ${f.uni}`);
        },
      },
    },
    'deep-lm': {
      facts(f) {
        assert.equal(f.epochs, 6);
        assert.equal(f.vocab, 28); // d2l preprocessing: 26 letters, the space, <unk>
        assert.ok(Number(f.bi) < 1.5, `bidirectional training perplexity ${f.bi}`);
        assert.ok(Number(f.uni) > 5, `left-to-right training perplexity ${f.uni}`);
        assert.equal(f.sampleLength, 110); // "the time m" and 100 characters
      },
      preset: {
        index: 0, // 1 epoch: the copying not learnt yet
        facts(f) {
          assert.equal(f.epochs, 1);
          assert.ok(Number(f.bi) > 3 && Number(f.ratio) < 4, `after 1 epoch: bidirectional ${f.bi}, ratio ${f.ratio}`);
        },
      },
    },
  },
};
