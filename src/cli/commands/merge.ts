/** `edgeplan merge`: joins `edgeplan sweep --shard k/n` CSVs into one file in grid order (src/sweep/merge.ts). */
import type { Argv } from 'yargs';
import { mergeSweepCsvs } from '../../sweep/index.ts';
import { toJson } from '../format.ts';
import { checkOutPath } from './sweep.ts';
import type { Io } from '../io.ts';

export interface MergeArgs {
  files?: string[];
  out?: string;
  json: boolean;
}

export function mergeCommand(io: Io) {
  return {
    command: 'merge <files..>',
    describe: 'Join sweep shard CSVs in grid order, checking they come from one grid with no row missing or duplicated',
    builder: (y: Argv) => y
      .positional('files', { type: 'string', array: true, describe: 'CSV files written by `edgeplan sweep --shard k/n --out`' })
      .option('out', { type: 'string', describe: 'merged CSV (default: stdout)' })
      .option('json', { type: 'boolean', default: false, describe: 'print a JSON summary' })
      .example('$0 merge part-*.csv --out all.csv', 'the same bytes one unsharded sweep would write'),
    handler: (argv: MergeArgs) => {
      checkOutPath(argv.out);
      const files = (argv.files ?? []).map(String);
      const r = mergeSweepCsvs(files.map((file) => ({ file, text: io.readText(file) })));
      if (argv.out) io.writeText(argv.out, r.csv);
      if (argv.json) io.out(toJson({ grid: r.grid, configs: r.configs, error_rows: r.errors, files: files.length, out: argv.out ?? null, ...(argv.out ? {} : { csv: r.csv }) }));
      else if (argv.out) io.out(`merged ${files.length} files: ${r.configs.toLocaleString('en-US')} rows (${r.errors} with an error) of grid ${r.grid} to ${argv.out}\n`);
      else io.out(r.csv);
    },
  };
}
