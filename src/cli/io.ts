/** The CLI's only contact with the outside world, injectable so tests run commands in-process. */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { EdgeplanError } from '../errors/index.ts';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  readText(path: string): string;
  readBytes(path: string): Uint8Array;
  writeText(path: string, text: string): void;
  isTty: boolean;
  now(): number;
}

export function readChecked(path: string, what: string): string {
  if (!existsSync(path)) throw new EdgeplanError('file_not_found', `${what} file not found`, { file: path, fix: 'check the path (relative paths resolve from the current directory)' });
  if (statSync(path).isDirectory()) throw new EdgeplanError('file_not_found', `${what} path is a directory`, { file: path, fix: 'pass a file' });
  return readFileSync(path, 'utf8');
}

/** Writes a file, turning a missing folder or a denied write into an input error that names the path. */
export function writeChecked(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  if (!existsSync(dir)) throw new EdgeplanError('file_not_found', `output folder ${dir} does not exist`, { file: path, fix: `create it first (mkdir -p ${dir}) or choose another --out` });
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw new EdgeplanError('file_not_found', `cannot write the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: path, fix: 'choose a writable path for --out' });
  }
}
