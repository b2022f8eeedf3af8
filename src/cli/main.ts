/**
 * @module cli/main
 * `recur <command>`: dispatch, and the one place where errors become messages and exit codes.
 * Exit codes: 0 done; 1 bad input (a file, a checkpoint, a corpus: RecurError) or a failed run (it
 * diverged); 2 a usage error (UsageError: an unknown command or option, a missing one, or an option
 * value out of range); 130/143 stopped by Ctrl-C/SIGTERM after saving. Either error prints one line,
 * a usage error with a pointer to `recur CMD --help`; anything else is a bug in recur and keeps its
 * stack trace.
 */

import { RecurError } from '../errors.js';
import { UsageError } from './args.js';
import { version } from './version.js';
import { BENCH_USAGE, benchCommand } from './bench.js';
import { INFO_USAGE, infoCommand } from './info.js';
import { INSPECT_USAGE, inspectCommand } from './inspect.js';
import { RUN_USAGE, runCommand } from './run.js';
import { TRAIN_USAGE, trainCommand } from './train.js';
import { GENERATE_USAGE, generateCommand } from './generate.js';
import { EVAL_USAGE, evalCommand } from './eval.js';
import { GRADIENTS_USAGE, gradientsCommand } from './gradients.js';
import { TASK_USAGE, taskCommand } from './task.js';
import { PLOT_TRAIN_USAGE, plotTrainCommand } from './plot-train.js';
import { FORECAST_USAGE, forecastCommand } from './forecast.js';
import { IMPORT_USAGE, importCommand, RUN_ONNX_USAGE, runOnnxCommand } from './onnx-import.js';
import { EXPORT_USAGE, exportCommand } from './export.js';

interface Command {
  run: (args: string[]) => number | Promise<number>;
  usage: string;
  summary: string;
}

const COMMANDS: Record<string, Command> = {
  train: { run: trainCommand, usage: TRAIN_USAGE, summary: 'train a language model on a corpus (default: an LSTM on The Time Machine)' },
  generate: { run: generateCommand, usage: GENERATE_USAGE, summary: 'generate text from a trained checkpoint' },
  eval: { run: evalCommand, usage: EVAL_USAGE, summary: 'perplexity of a checkpoint on a text' },
  run: { run: runCommand, usage: RUN_USAGE, summary: 'run a saved recurrent stack on inputs; outputs and gradients' },
  import: { run: importCommand, usage: IMPORT_USAGE, summary: 'convert an ONNX model (torch.onnx.export of RNN/GRU/LSTM) into a recur model file' },
  'run-onnx': { run: runOnnxCommand, usage: RUN_ONNX_USAGE, summary: 'run an ONNX model with RNN/GRU/LSTM nodes on the tensors of a safetensors file' },
  inspect: { run: inspectCommand, usage: INSPECT_USAGE, summary: 'list the tensors and config in a safetensors file' },
  gradients: { run: gradientsCommand, usage: GRADIENTS_USAGE, summary: 'gradient flow of a recurrent stack: norms against distance, W_hh spectra, plots' },
  task: { run: taskCommand, usage: TASK_USAGE, summary: 'the adding problem and copy memory: does a cell learn long-range dependencies?' },
  'plot-train': { run: plotTrainCommand, usage: PLOT_TRAIN_USAGE, summary: 'plot loss and gradient norms from the --json lines of train or task' },
  forecast: { run: forecastCommand, usage: FORECAST_USAGE, summary: 'time series: AR, NARX, TDNN and RNN forecasters against naive baselines; plots' },
  export: { run: exportCommand, usage: EXPORT_USAGE, summary: 'write a saved model (stack, language model, forecaster, composed) as an ONNX file' },
  bench: { run: benchCommand, usage: BENCH_USAGE, summary: 'tokens/s and GFLOP/s of the standard language-model workload' },
  info: { run: infoCommand, usage: INFO_USAGE, summary: 'version, runtime and the kernel backend in use' },
};

const USAGE = `usage: recur <command> [options]

commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)}${c.summary}`).join('\n')}

Run 'recur <command> --help' for a command's options.`;

/** Run `recur ARGV...`; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  // a reader that stops early (recur ... | head) is not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); else throw e; });
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`recur ${version()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`recur: unknown command "${name}"; expected one of ${Object.keys(COMMANDS).join(', ')}\nsee \`recur --help\`\n`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`recur ${name}: ${e.message}\nsee \`recur ${name} --help\`\n`);
      return 2;
    }
    if (e instanceof RecurError) {
      process.stderr.write(`recur ${name}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
