import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.ts';
import { readChecked, type Io } from '../src/cli/io.ts';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with captured output (the parser and handlers are the real ones). */
export async function runCli(args: readonly string[]): Promise<CliResult> {
  let stdout = '', stderr = '';
  const io: Io = {
    out: (t) => { stdout += t; },
    err: (t) => { stderr += t; },
    readText: (p) => readChecked(p, 'input'),
    readBytes: (p) => new Uint8Array(readFileSync(p)),
    writeText: (p, t) => writeFileSync(p, t),
    isTty: false,
    now: () => 0,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** Writes `files` into a fresh temp dir and returns their paths by name. */
export function tempFiles(files: Record<string, string | Uint8Array>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'edgeplan-test-'));
  const out: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    const p = join(dir, name);
    writeFileSync(p, content);
    out[name] = p;
  }
  return out;
}
