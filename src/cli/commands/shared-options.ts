import type { Argv } from 'yargs';

export function modelOptions(y: Argv) {
  return y
    .option('model', { type: 'string', demandOption: true, describe: 'zoo id (edgeplan models) or a .yaml model file' })
    .option('resolution', { type: 'number', describe: 'input side in pixels (rebuilds the graph)' })
    .option('width-multiplier', { type: 'number', describe: 'channel width multiplier α (rebuilds the graph)' })
    .check((a) => {
      if (a.resolution !== undefined && (!Number.isInteger(a.resolution) || a.resolution <= 0)) throw new Error(`--resolution must be a positive integer, got ${a.resolution}`);
      if (a['width-multiplier'] !== undefined && !(Number(a['width-multiplier']) > 0)) throw new Error(`--width-multiplier must be > 0, got ${a['width-multiplier']}`);
      return true;
    });
}
