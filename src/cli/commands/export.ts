/** `edgeplan export`: a zoo or YAML graph as a runnable ONNX file with seeded random weights. */
import type { Argv } from 'yargs';
import { graphTotals } from '../../graph/index.ts';
import { exportOnnx } from '../../import/index.ts';
import { formatBytes, formatCount } from '../../units/index.ts';
import { toJson } from '../format.ts';
import { writeChecked, type Io } from '../io.ts';
import { loadModelArg } from '../model-arg.ts';
import { modelOptions } from './shared-options.ts';

export function exportCommand(io: Io) {
  return {
    command: 'export',
    describe: 'Write a model as ONNX with random weights (for measuring it with ONNX Runtime)',
    builder: (y: Argv) => modelOptions(y)
      .option('format', { type: 'string', choices: ['onnx'], default: 'onnx', describe: 'output format' })
      .option('out', { type: 'string', demandOption: true, describe: 'output file' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the random weights (a non-negative integer)' })
      .check((a) => {
        if (!Number.isInteger(a.seed) || (a.seed as number) < 0) throw new Error(`--seed must be a non-negative integer, got ${a.seed}`);
        return true;
      })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .example('$0 export --model mobilenet-v2 --format onnx --out mnv2.onnx', 'a runnable ONNX MobileNetV2'),
    handler: (argv: { model: string; resolution?: number; widthMultiplier?: number; out: string; seed: number; json: boolean }) => {
      const g = loadModelArg(io, argv);
      const bytes = exportOnnx(g, { seed: argv.seed });
      writeChecked(argv.out, bytes);
      const t = graphTotals(g);
      if (argv.json) { io.out(toJson({ model: g.name, out: argv.out, bytes: bytes.length, params: t.params, macs: t.macs })); return; }
      io.out(`wrote ${argv.out} (${formatBytes(bytes.length)}): ${g.name}, ${formatCount(t.params)} params, ${formatCount(t.macs)} MACs, opset 17, seed ${argv.seed}\n`);
    },
  };
}
