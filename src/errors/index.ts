/**
 * One error type for every bad input: it says where (file, line, column, field path),
 * what is wrong, and what to write instead. The CLI prints it as one line and exits 2.
 * An infeasible plan is a result, not an error.
 */
export type ErrorCode =
  | 'usage'
  | 'bad_unit'
  | 'unknown_model'
  | 'unknown_device'
  | 'unknown_op'
  | 'yaml_syntax'
  | 'schema'
  | 'cycle'
  | 'dangling_edge'
  | 'bad_shape'
  | 'empty_file'
  | 'file_not_found'
  | 'bad_value'
  | 'bad_model_file';

export interface ErrorLocation {
  readonly file?: string;
  readonly line?: number;
  readonly col?: number;
  /** Dot/bracket path of the offending field, e.g. `layers[3].out_channels`. */
  readonly path?: string;
  /** Layer the error concerns, when it is about a graph. */
  readonly layer?: string;
}

export class EdgeplanError extends Error {
  readonly code: ErrorCode;
  readonly location: ErrorLocation;
  readonly fix?: string;
  /** Exit code: 2 for usage/input errors (the default). */
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, opts: ErrorLocation & { fix?: string; exitCode?: number } = {}) {
    super(message);
    this.name = 'EdgeplanError';
    this.code = code;
    const { fix, exitCode, ...location } = opts;
    this.location = location;
    this.fix = fix;
    this.exitCode = exitCode ?? 2;
  }

  /** Same error with more location filled in (keeps what is already known). */
  withLocation(loc: ErrorLocation): EdgeplanError {
    return new EdgeplanError(this.code, this.message, {
      ...loc,
      ...Object.fromEntries(Object.entries(this.location).filter(([, v]) => v !== undefined)),
      fix: this.fix,
      exitCode: this.exitCode,
    });
  }
}

/** `file:line:col: message (at path; layer X) — fix: ...` on one line. */
export function formatError(err: EdgeplanError): string {
  const { file, line, col, path, layer } = err.location;
  let where = '';
  if (file) where = file + (line ? `:${line}${col ? `:${col}` : ''}` : '') + ': ';
  const ctx: string[] = [];
  if (path) ctx.push(`at ${path}`);
  if (layer) ctx.push(`layer '${layer}'`);
  const ctxText = ctx.length ? ` (${ctx.join('; ')})` : '';
  const fix = err.fix ? ` — fix: ${err.fix}` : '';
  return `error: ${where}${err.message}${ctxText}${fix}`.replace(/\s*\n\s*/g, ' ');
}
