/**
 * The CLI: parse flags, call the core, format the output. The only code that touches files,
 * the console or the clock. Every error becomes one line on stderr and exit code 2
 * (1 for an infeasible plan or failed check); stacks only with --debug.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import yargs from 'yargs';
import { EdgeplanError, formatError } from '../errors/index.ts';
import { calibrateCommand } from './commands/calibrate.ts';
import { devicesCommand } from './commands/devices.ts';
import { exportCommand } from './commands/export.ts';
import { measureCommand } from './commands/measure.ts';
import { mergeCommand } from './commands/merge.ts';
import { modelsCommand } from './commands/models.ts';
import { planCommand, PlanInfeasible } from './commands/plan.ts';
import { runCommand } from './commands/run.ts';
import { showCommand } from './commands/show.ts';
import { simulateCommand } from './commands/simulate.ts';
import { sweepCommand } from './commands/sweep.ts';
import { validateCommand } from './commands/validate.ts';
import { readChecked, writeChecked, type Io } from './io.ts';

const KNOWN_COMMANDS = ['models', 'show', 'simulate', 'plan', 'validate', 'devices', 'run', 'export', 'measure', 'calibrate', 'sweep', 'merge'];

export function nodeIo(): Io {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    readText: (p) => readChecked(p, 'input'),
    readBytes: (p) => new Uint8Array(readFileSync(p)),
    writeText: (p, t) => writeChecked(p, t),
    isTty: Boolean(process.stderr.isTTY),
    now: () => performance.now(),
  };
}

export async function main(args: readonly string[], io: Io = nodeIo()): Promise<number> {
  const debug = args.includes('--debug');
  const parser = yargs([...args])
    .scriptName('edgeplan')
    .usage('$0 <command> [options]\n\nHardware-aware latency simulator and planner for vision models on edge devices.')
    .command(modelsCommand(io))
    .command(showCommand(io))
    .command(devicesCommand(io))
    .command(simulateCommand(io))
    .command(planCommand(io))
    .command(runCommand(io))
    .command(validateCommand(io))
    .command(exportCommand(io))
    .command(measureCommand(io))
    .command(calibrateCommand(io))
    .command(sweepCommand(io))
    .command(mergeCommand(io))
    .option('debug', { type: 'boolean', describe: 'print stack traces for errors' })
    .demandCommand(1, 'name a command: plan, simulate, run, models, show, devices, validate, export, measure, calibrate')
    .strict()
    .recommendCommands()
    .help()
    .version(false)
    .wrap(Math.min(120, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err instanceof EdgeplanError || err instanceof PlanInfeasible) throw err;
      if (err) msg = err.message;
      // A usage problem is an input error (exit 2); stop before any handler runs.
      // yargs spreads some messages over lines ("Invalid values:\n  Argument: precision, Given: ..."): keep them on one.
      throw new EdgeplanError('usage', msg.split('\n').map((x) => x.trim()).filter(Boolean).join(' '), { fix: `see \`edgeplan ${KNOWN_COMMANDS.includes(args[0]) ? args[0] + ' ' : ''}--help\`` });
    });
  try {
    let helpText = '';
    await parser.parseAsync([...args], {}, (_e, _argv, output) => {
      helpText = output;
    });
    if (helpText) io.out(helpText + '\n');
    return 0;
  } catch (e) {
    if (e instanceof PlanInfeasible) return 1;
    if (e instanceof EdgeplanError) {
      io.err(formatError(e) + '\n');
      if (debug) io.err((e.stack ?? '') + '\n');
      return e.exitCode;
    }
    io.err(`error: internal error: ${(e as Error).message?.split('\n')[0]} — fix: rerun with --debug and report it\n`);
    if (debug) io.err(((e as Error).stack ?? '') + '\n');
    return 2;
  }
}
