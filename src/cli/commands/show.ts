import type { Argv } from 'yargs';
import { graphTotals } from '../../graph/index.ts';
import { formatBytes, formatCount } from '../../units/index.ts';
import { table, toJson } from '../format.ts';
import type { Io } from '../io.ts';
import { loadModelArg } from '../model-arg.ts';
import { modelOptions } from './shared-options.ts';

export function showCommand(io: Io) {
  return {
    command: 'show',
    describe: 'Print the per-layer table of a model (shapes, params, MACs, bytes)',
    builder: (y: Argv) => modelOptions(y)
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .example('$0 show --model mobilenet-v2', 'per-layer table')
      .example('$0 show --model resnet-50 --resolution 160 --json', 'JSON at another resolution')
      .example('$0 show --model examples/models/tiny-cnn.yaml', 'a YAML model'),
    handler: (argv: { model: string; resolution?: number; widthMultiplier?: number; json: boolean }) => {
      const g = loadModelArg(io, argv);
      const t = graphTotals(g);
      if (argv.json) {
        io.out(toJson({
          model: g.name,
          resolution: g.resolution ?? null,
          width_multiplier: g.widthMultiplier ?? 1,
          layout: g.layout,
          input_shape: g.inputs[0].shape,
          params: t.params,
          macs: t.macs,
          weight_bytes: t.weightBytes,
          activation_bytes: t.activationBytes,
          layers: g.layers.map((l) => ({
            name: l.name, op: l.op, inputs: l.inputs, output_shape: l.outputShape, dtype: l.dtype,
            params: l.params, macs: l.macs, weight_bytes: l.weightBytes, activation_bytes: l.activationBytes,
          })),
        }));
        return;
      }
      io.out(`${g.name}  input ${g.inputs[0].shape.join('x')} (${g.layout}, batch 1)  ${g.layers.length} layers\n\n`);
      io.out(table(
        ['#', 'layer', 'op', 'output', 'params', 'MACs', 'weights', 'activations'],
        g.layers.map((l, i) => [i, l.name, l.op + (l.attrs.activation ? `+${l.attrs.activation}` : ''), l.outputShape.join('x'), formatCount(l.params), formatCount(l.macs), formatBytes(l.weightBytes), formatBytes(l.activationBytes)]),
        [true, false, false, false, true, true, true, true],
      ));
      io.out(`\ntotal: ${formatCount(t.params)} params (${t.params}), ${formatCount(t.macs)} MACs (${t.macs}), weights ${formatBytes(t.weightBytes)} at ${g.layers[0]?.dtype ?? 'fp32'}\n`);
    },
  };
}
