import type { Argv } from 'yargs';
import { graphTotals } from '../../graph/index.ts';
import { formatCount } from '../../units/index.ts';
import { ZOO } from '../../zoo/index.ts';
import { table, toJson } from '../format.ts';
import type { Io } from '../io.ts';

export function modelsCommand(io: Io) {
  return {
    command: 'models',
    describe: 'List the built-in model zoo with params, MACs, default resolution and task',
    builder: (y: Argv) => y.option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .example('$0 models', 'table of zoo models')
      .example('$0 models --json', '[{id, task, resolution, params, macs}]'),
    handler: (argv: { json: boolean }) => {
      const rows = ZOO.map((e) => {
        const t = graphTotals(e.build({ resolution: e.resolution, widthMultiplier: e.widthMultiplier ?? 1 }));
        return { id: e.id, task: e.task, resolution: e.resolution, width_multiplier: e.widthMultiplier ?? 1, params: t.params, macs: t.macs };
      });
      if (argv.json) {
        io.out(toJson(rows.map(({ id, task, resolution, params, macs }) => ({ id, task, resolution, params, macs }))));
        return;
      }
      io.out(table(['id', 'task', 'resolution', 'params', 'MACs'], rows.map((r) => [r.id, r.task, r.resolution, formatCount(r.params), formatCount(r.macs)]), [false, false, true, true, true]));
    },
  };
}
