/**
 * @module cli/train-output
 * What `recur train` prints: a progress line on a terminal, plain lines otherwise, or one JSON
 * object per line with --json (every line has epoch, step, trainPerplexity, valPerplexity,
 * gradNorm, tokensPerSecond; "event" says step, epoch or end).
 */
import type { RecurrentConfig } from '../layers/config.js';
import type { EpochReport, StepReport, TrainOptions } from '../models/lm-trainer.js';

export interface StartInfo {
  data: string; tokens: number; train: number; val: number; vocab: number; params: number; backend: string;
  config: RecurrentConfig; options: TrainOptions; out: string; batches: number; resumed: boolean;
}

export class TrainPrinter {
  private readonly json: boolean;
  private readonly tty: boolean;
  private valPerplexity: number | null = null;
  private epochs = 0;
  private batches = 0;
  private tokensPerBatch = 0;
  private rate = 0; // smoothed tokens/s
  private lastDraw = 0;
  private epochSteps = 0; // steps seen since the last epoch line

  constructor(json: boolean) {
    this.json = json;
    this.tty = !json && process.stderr.isTTY === true;
  }

  start(s: StartInfo): void {
    this.epochs = s.options.epochs;
    this.batches = s.batches;
    this.tokensPerBatch = s.options.batch * s.options.steps;
    const c = s.config;
    const what = `${c.numLayers > 1 ? `${c.numLayers}-layer ` : ''}${c.bidirectional ? 'bidirectional ' : ''}${c.cell}${c.cell === 'gru' ? (c.resetAfter ? ' (reset after)' : ' (reset before)') : ''} H=${c.hiddenSize}`;
    if (this.json) {
      this.line({ event: 'start', data: s.data, tokens: s.tokens, trainTokens: s.train, valTokens: s.val, vocab: s.vocab,
                  parameters: s.params, backend: s.backend, rnn: c, options: s.options, checkpoint: s.out, resumed: s.resumed });
      return;
    }
    process.stderr.write(`${s.resumed ? 'resuming' : 'training'} ${what} on ${s.data}: ${s.train} tokens (+${s.val} validation), vocabulary ${s.vocab}, ${s.params} parameters\n` +
      `${s.options.optimizer} lr ${s.options.lr}, batch ${s.options.batch} × ${s.options.steps} steps (${s.options.sampling}), clip ${s.options.clip || 'off'}, ` +
      `${s.options.epochs} epochs of ${s.batches} minibatches, kernels ${s.backend}\n`);
  }

  step(r: StepReport): void {
    this.epochSteps++;
    this.rate = this.rate === 0 ? r.tokensPerSecond : 0.9 * this.rate + 0.1 * r.tokensPerSecond;
    if (this.json) {
      this.line({ event: 'step', epoch: r.epoch, step: r.step, loss: r.loss, trainPerplexity: r.trainPerplexity,
                  valPerplexity: this.valPerplexity, gradNorm: r.gradNorm, gradNormClipped: r.gradNormClipped, lr: r.lr,
                  tokensPerSecond: Math.round(r.tokensPerSecond), ...(r.skipped ? { skipped: true } : {}),
                  ...(r.paramGradNorms ? { paramGradNorms: r.paramGradNorms } : {}) });
      return;
    }
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && r.batch < r.batches) return;
    this.lastDraw = now;
    const width = 20;
    const filled = Math.round((width * r.batch) / Math.max(1, r.batches));
    const batchesLeft = (this.epochs - r.epoch) * this.batches + (r.batches - r.batch);
    const secondsLeft = this.rate > 0 ? (batchesLeft * this.tokensPerBatch) / this.rate : NaN;
    process.stderr.write(`\repoch ${r.epoch}/${this.epochs} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${r.batch}/${r.batches}` +
      ` | ${formatRate(this.rate)} tok/s | loss ${r.loss.toFixed(3)} | ppl ${r.trainPerplexity.toFixed(2)} | ‖g‖ ${r.gradNorm.toFixed(2)} | ETA ${formatSeconds(secondsLeft)}   `);
  }

  epoch(r: EpochReport): void {
    this.valPerplexity = r.valPerplexity;
    // the epoch's own rate: its tokens over its time, when the time is long enough to measure
    const rate = r.seconds >= MIN_SECONDS ? (this.epochSteps * this.tokensPerBatch) / r.seconds : null;
    this.epochSteps = 0;
    if (this.json) {
      this.line({ event: 'epoch', epoch: r.epoch, step: r.step, trainPerplexity: r.trainPerplexity, valPerplexity: r.valPerplexity,
                  gradNorm: null, tokensPerSecond: rate === null ? null : Math.round(rate), seconds: r.seconds,
                  ...(r.skipped > 0 ? { skipped: r.skipped } : {}) });
      return;
    }
    if (this.tty) process.stderr.write('\r\x1b[K');
    process.stderr.write(`epoch ${r.epoch}/${this.epochs}: train perplexity ${r.trainPerplexity.toFixed(3)}` +
      `${r.valPerplexity === null ? '' : `, validation perplexity ${r.valPerplexity.toFixed(3)}`} (${r.seconds.toFixed(1)} s` +
      `${rate === null ? '' : `, ${formatRate(rate)} tok/s`}${r.skipped > 0 ? `, ${r.skipped} steps skipped` : ''})\n`);
  }

  note(text: string): void {
    if (this.json) this.line({ event: 'note', message: text });
    else process.stderr.write(`${this.tty ? '\r\x1b[K' : ''}${text}\n`);
  }

  /** The last line(s). `outcome` is done, early, stopped or diverged (then the error follows on
   *  stderr); `checkpoint` is the last one written, if any; `skipped` counts --on-nan skip steps. */
  end(e: { outcome: string; checkpoint: string | undefined; sample: string | undefined; seconds: number;
            best: { path: string; valPerplexity: number; epoch: number } | undefined; skipped: number }): void {
    if (this.json) {
      this.line({ event: 'end', outcome: e.outcome, checkpoint: e.checkpoint ?? null, sample: e.sample ?? null, seconds: e.seconds,
                  valPerplexity: this.valPerplexity, best: e.best ?? null, skipped: e.skipped });
      return;
    }
    if (this.tty) process.stderr.write('\r\x1b[K');
    if (e.outcome === 'diverged') return; // the error line says what happened and what is kept
    if (e.sample !== undefined) process.stdout.write(`\n${e.sample}\n\n`);
    if (e.checkpoint !== undefined) process.stdout.write(`checkpoint: ${e.checkpoint}\n`);
    if (e.best) process.stdout.write(`best:       ${e.best.path} (validation perplexity ${e.best.valPerplexity.toFixed(3)}, epoch ${e.best.epoch})\n`);
    process.stderr.write(`${e.outcome === 'done' ? 'done' : e.outcome === 'early' ? 'stopped early (validation stopped improving)' : 'stopped'} after ${formatSeconds(e.seconds)}` +
      `${e.skipped > 0 ? ` (${e.skipped} steps skipped: loss or gradients not finite or exploded)` : ''}\n`);
  }

  private line(o: object): void {
    process.stdout.write(`${JSON.stringify(o)}\n`);
  }
}

/** Shorter epochs than this have no meaningful tokens/s. */
const MIN_SECONDS = 0.1;

function formatRate(r: number): string {
  return r >= 1e4 ? `${(r / 1000).toFixed(0)}k` : r >= 1000 ? `${(r / 1000).toFixed(1)}k` : r.toFixed(0);
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}
