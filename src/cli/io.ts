/** The CLI's only contact with the outside world, injectable so tests run commands in-process. */
import { existsSync, readFileSync, statSync } from 'node:fs';
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
