// A model with its own forward and backward, made of recur's layers: a GRU encodes a sequence, its
// final state is joined with a vector of static features, and a linear head reads both — two inputs,
// which a Sequential cannot express. It trains with fit, saves with saveModel, and loads back with
// loadModel once its layer type is registered. (docs/models.md walks through it.)
//   npm run build && node dist/examples/custom-model.js [epochs]
import {
  buildLayer, Composite, evaluate, fit, linear, loadKernels, loadModel, Model, padSequences, recurrent, registerLayer, Rng,
  saveModel, type Batch, type FloatArray, type ForwardContext, type Kernels, type Layer, type ParamSet, type Tensor,
} from 'recur';

/** What the model reads: a batch of sequences (T,B,1) with lengths, and static features (B,E). */
interface Input { seq: Tensor; features: Tensor }

interface EncoderHeadConfig { type: 'custom:encoder-head'; hidden: number; features: number; outputs: number }

class EncoderHead extends Composite<Input> {
  readonly config: EncoderHeadConfig;
  private readonly encoder: Layer;
  private readonly head: Layer;
  private k!: Kernels;
  private joined: FloatArray = new Float32Array(0); // (B, H+E): [h_final ; features]
  private dh: FloatArray = new Float32Array(0);     // (B, H)

  constructor(config: EncoderHeadConfig) {
    super();
    this.config = config;
    this.encoder = buildLayer(recurrent({ cell: 'gru', hiddenSize: config.hidden, output: 'final' }), 1) as Layer;
    this.head = buildLayer(linear({ outputSize: config.outputs }), config.hidden + config.features) as Layer;
  }

  get outputSize(): number { return this.config.outputs; }
  // parameters: encoder.weight_ih_l0, ..., head.weight, head.bias
  protected children() { return [['encoder', this.encoder], ['head', this.head]] as const; }

  override bind(params: ParamSet, prefix: string, k: Kernels, rng: Rng): void {
    super.bind(params, prefix, k, rng);
    this.k = k;
  }

  forward(x: Input, ctx: ForwardContext): Tensor {
    const { hidden: H, features: E } = this.config;
    const B = x.features.shape[0]!;
    const h = this.encoder.forward(x.seq, ctx).data;                  // (B,H)
    if (this.joined.length !== B * (H + E)) this.joined = this.k.alloc(B * (H + E));
    for (let b = 0; b < B; b++) {
      this.joined.set(h.subarray(b * H, (b + 1) * H), b * (H + E));
      this.joined.set(x.features.data.subarray(b * E, (b + 1) * E), b * (H + E) + H);
    }
    return this.head.forward({ data: this.joined, shape: [B, H + E] }, ctx);
  }

  backward(dy: FloatArray, _inputGrad: boolean): undefined {
    const { hidden: H, features: E } = this.config;
    const dJoined = this.head.backward(dy, true)!;                    // (B, H+E)
    const B = dJoined.length / (H + E);
    if (this.dh.length !== B * H) this.dh = this.k.alloc(B * H);
    for (let b = 0; b < B; b++) this.dh.set(dJoined.subarray(b * (H + E), b * (H + E) + H), b * H);
    this.encoder.backward(this.dh, false);                            // the inputs need no gradient
    return undefined;
  }
}
registerLayer('custom:encoder-head', (c) => new EncoderHead(c as unknown as EncoderHeadConfig));

// data: y = mean of the sequence + 2·feature₀ − feature₁, sequences of 5–20 steps
const rng = new Rng(5);
function batch(B: number): Batch<Input> {
  const seqs = Array.from({ length: B }, () => Array.from({ length: 5 + rng.int(16) }, () => rng.normal()));
  const features = Float32Array.from({ length: 2 * B }, () => rng.normal());
  const y = Float64Array.from(seqs, (s, b) => s.reduce((a, v) => a + v) / s.length + 2 * features[2 * b]! - features[2 * b + 1]!);
  return { x: { seq: padSequences(seqs), features: { data: features, shape: [B, 2] } }, y, size: B };
}
const train = Array.from({ length: 40 }, () => batch(32));
const test = [batch(256)];

const kernels = await loadKernels();
const model = new Model(new EncoderHead({ type: 'custom:encoder-head', hidden: 16, features: 2, outputs: 1 }), { kernels, seed: 1 });
await fit(model, train, { loss: 'mse', lr: 0.01, epochs: Number(process.argv[2] ?? 20) });
const { rmse } = evaluate(model, test, { metrics: ['rmse'] });
const reloaded = loadModel(saveModel(model), kernels) as unknown as Model<Input>;
const zero = Math.sqrt(Array.from(test[0]!.y).reduce((s, v) => s + v * v, 0) / 256);
console.log(`held-out RMSE ${rmse!.toFixed(3)} (predicting 0: ${zero.toFixed(3)}); ` +
            `reloaded: ${evaluate(reloaded, test, { metrics: ['rmse'] }).rmse!.toFixed(3)}`);
kernels.dispose?.();
