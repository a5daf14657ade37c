import type { Argv } from 'yargs';
import { builtinProfiles } from '../device-arg.ts';
import { table, toJson } from '../format.ts';
import type { Io } from '../io.ts';

export function devicesCommand(io: Io) {
  return {
    command: 'devices',
    describe: 'List the built-in hardware profiles with their units and aliases',
    builder: (y: Argv) => y.option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .example('$0 devices', 'table of device profiles')
      .example('$0 devices --json', '[{id, name, class, aliases, units}]'),
    handler: (argv: { json: boolean }) => {
      const rows = [...builtinProfiles(io).values()].map((p) => ({
        id: p.id, name: p.name, class: p.class, aliases: p.aliases,
        units: Object.entries(p.units).map(([id, u]) => ({ id, kind: u.kind, precisions: u.precisions })),
      }));
      if (argv.json) { io.out(toJson(rows)); return; }
      io.out(table(['id', 'class', 'units', 'aliases'], rows.map((r) => [r.id, r.class, r.units.map((u) => `${u.id}(${u.precisions.join('/')})`).join(' '), r.aliases.join(', ')])));
    },
  };
}
