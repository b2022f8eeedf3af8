// Messages between the page and its workers. The train worker trains, samples, benchmarks and
// reads/writes checkpoints; the lab worker runs the gradient lab. Both post `error` on bad input.

export type CellChoice = 'rnn' | 'gru' | 'gru-after' | 'lstm' | 'residual' | 'residual-xh';

export interface TrainConfig {
  corpus: 'timemachine' | 'tinyshakespeare' | 'pasted';
  text: string;            // the corpus itself (fetched or pasted by the page)
  maxTokens: number;       // 0 = all
  val: number;             // fraction of the tokens, from the end
  cell: CellChoice;
  nonlinearity: 'tanh' | 'relu';
  hidden: number;
  layers: number;
  batch: number;
  steps: number;           // T, the truncation length
  optimizer: 'sgd' | 'adam' | 'adamw' | 'adagrad' | 'rmsprop';
  lr: number;
  clip: number;            // global norm; 0 = off
  epochs: number;
  seed: number;
}

export interface SampleSettings { prefix: string; temperature: number }

export interface GenerateRequest {
  source: 'training' | 'loaded';
  prefix: string;
  length: number;
  greedy: boolean;
  temperature: number;
  seed: number;
}

export interface BenchRequest { cell: 'lstm' | 'gru' | 'rnn'; hidden: number; batch: number; steps: number; vocab: number; seconds: number }

export type ToTrainWorker =
  | { type: 'start'; config: TrainConfig }
  | { type: 'resume' }
  | { type: 'pause' }
  | { type: 'reset' }
  | { type: 'settings'; settings: SampleSettings }
  | { type: 'download' }
  | { type: 'load'; name: string; bytes: ArrayBuffer }
  | { type: 'generate'; request: GenerateRequest }
  | { type: 'bench'; request: BenchRequest };

/** One training step as charted (a subset of recur's StepReport). */
export interface StepPoint { step: number; epoch: number; loss: number; gradNorm: number; gradNormClipped: number; tokensPerSecond: number }

export interface RunInfo { vocab: number; params: number; trainTokens: number; valTokens: number; batchesPerEpoch: number; description: string }

export interface BenchResult extends BenchRequest {
  tokensPerSecond: number; gflops: number; backend: string; threads: number; isolated: boolean; userAgent: string;
}

export type FromTrainWorker =
  | { type: 'ready'; backend: string; isolated: boolean; threads: number }
  // `run` numbers the training runs: the page ignores late messages from a run it has reset
  | { type: 'started'; run: number; info: RunInfo }
  | { type: 'steps'; run: number; points: StepPoint[] }
  | { type: 'val'; run: number; step: number; perplexity: number }
  | { type: 'sample'; run: number; step: number; text: string }
  | { type: 'running'; run: number; running: boolean; outcome?: string }
  | { type: 'checkpoint'; name: string; bytes: Uint8Array }
  | { type: 'loaded'; name: string; description: string }
  | { type: 'generated'; text: string }
  | { type: 'bench'; result: BenchResult }
  | { type: 'error'; where: 'train' | 'checkpoint' | 'generate' | 'bench'; message: string };

export interface LabRequest {
  cells: CellChoice[];
  activation: 'tanh' | 'relu' | 'identity';
  steps: number;     // T
  hidden: number;
  radius: number;    // spectral radius of every W_hh gate block
  whh: 'uniform' | 'orthogonal';
  seed: number;
}

export interface LabSeries { cell: CellChoice; label: string; gradNorm: number[]; rate: number | null; heatmap: Float64Array | null; /** a dictionary key */ note?: string }

export type FromLabWorker =
  | { type: 'lab'; request: LabRequest; distance: number[]; series: LabSeries[]; seconds: number }
  | { type: 'error'; where: 'lab'; message: string };
