/**
 * YAML documents checked against a JSON Schema, with every problem pointing at file:line:col.
 * Shared by models, hardware profiles and scenarios: parse with `yaml` (keeping node ranges),
 * validate with ajv (draft 2020-12, all errors), then map ajv's instancePath to a line.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { distance } from 'fastest-levenshtein';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { EdgeplanError } from '../errors/index.ts';
import { suggestFrom } from '../graph/suggest.ts';

export type PathSegment = string | number;

export interface LocatedYaml<T> {
  readonly data: T;
  /** Line and column (1-based) of the node at `path`, or of its nearest existing parent. */
  readonly locate: (path: readonly PathSegment[]) => { line: number; col: number };
  readonly file: string;
}

const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
const compiled = new Map<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let v = compiled.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(schema, v);
  }
  return v;
}

export function pathToString(path: readonly PathSegment[]): string {
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

function makeLocator(doc: Document, lc: LineCounter) {
  return (path: readonly PathSegment[]) => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as Node | undefined;
      const range = node && (node as { range?: [number, number, number] }).range;
      if (range) {
        const { line, col } = lc.linePos(range[0]);
        return { line, col };
      }
      // A key whose value is null has no node; point at the key itself.
      if (n > 0) {
        const parent = n === 1 ? doc.contents : (doc.getIn(path.slice(0, n - 1), true) as Node | undefined);
        if (parent && isMap(parent)) {
          const pair = parent.items.find((p) => (p.key as { value?: unknown })?.value === path[n - 1]);
          const kr = pair && (pair.key as { range?: [number, number, number] })?.range;
          if (kr) return lc.linePos(kr[0]);
        }
      }
    }
    return { line: 1, col: 1 };
  };
}

/** Parses YAML text; throws EdgeplanError on syntax errors, empty files and binary garbage. */
export function parseYaml<T = unknown>(text: string, file: string): LocatedYaml<T> {
  if (text.trim() === '') throw new EdgeplanError('empty_file', 'the file is empty', { file, line: 1, fix: 'write a YAML mapping (see the examples/ folder)' });
  if (/\u0000/.test(text) || (text.match(/\uFFFD/g)?.length ?? 0) > 2) {
    throw new EdgeplanError('yaml_syntax', 'the file is binary, not YAML text', { file, line: 1, fix: 'pass a .yaml text file (ONNX/TFLite files need the .onnx/.tflite extension)' });
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const { line, col } = lc.linePos(e.pos[0]);
    const msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new EdgeplanError('yaml_syntax', `YAML syntax error: ${msg}`, { file, line, col, fix: 'check indentation, colons and brackets on that line' });
  }
  const data = doc.toJS({ maxAliasCount: 1000 }) as T;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new EdgeplanError('schema', 'the document must be a YAML mapping (key: value lines)', { file, line: 1, fix: 'start with fields such as `name:`' });
  }
  return { data, locate: makeLocator(doc, lc), file };
}

function splitPointer(p: string): PathSegment[] {
  if (!p) return [];
  return p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Picks the most useful of ajv's errors: the deepest, preferring concrete keywords over anyOf/oneOf. */
function rank(e: ErrorObject): number {
  const depth = splitPointer(e.instancePath).length * 10;
  const kw = ['anyOf', 'oneOf', 'if', 'not'].includes(e.keyword) ? -5
    : ['type', 'pattern'].includes(e.keyword) ? -2
    : ['additionalProperties', 'required', 'minimum', 'exclusiveMinimum', 'maximum', 'enum'].includes(e.keyword) ? 3 : 0;
  return depth + kw;
}

function describe(e: ErrorObject, field: string): { message: string; fix: string; path: PathSegment[] } {
  const path = splitPointer(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const allowed = Object.keys(((e.parentSchema as { properties?: object })?.properties) ?? {});
      const near = allowed.map((a) => [a, distance(a, key)] as const).sort((a, b) => a[1] - b[1])[0];
      return {
        message: `unknown field '${key}'`,
        path: [...path, key],
        fix: near && near[1] <= 3 ? `did you mean '${near[0]}'?` : `allowed fields: ${allowed.join(', ')}`,
      };
    }
    case 'required':
      return { message: `missing required field '${p.missingProperty}'`, path, fix: `add '${p.missingProperty}:'${field ? ` to ${field}` : ''}` };
    case 'type':
      return { message: `must be ${p.type === 'integer' ? 'an integer' : `a ${p.type}`}`, path, fix: `write ${p.type === 'array' ? 'a list such as [1, 2]' : p.type === 'object' ? 'a mapping of key: value' : `a ${p.type}`}` };
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(String);
      const given = typeof e.data === 'string' ? e.data : undefined;
      const near = given !== undefined ? suggestFrom(given, allowed) : [];
      if (given !== undefined && allowed.length > 8) {
        return { message: `'${given}' is not one of the ${allowed.length} allowed values`, path, fix: near.length ? `did you mean '${near[0]}'? (allowed: ${allowed.join(', ')})` : `use one of: ${allowed.join(', ')}` };
      }
      return { message: `${given !== undefined ? `'${given}' ` : ''}must be one of: ${allowed.join(', ')}`, path, fix: near.length ? `did you mean '${near[0]}'?` : 'use one of the listed values' };
    }
    case 'minimum':
    case 'exclusiveMinimum':
      return { message: `must be ${e.keyword === 'minimum' ? '≥' : '>'} ${p.limit}`, path, fix: `write a value ${e.keyword === 'minimum' ? '≥' : '>'} ${p.limit}` };
    case 'maximum':
      return { message: `must be ≤ ${p.limit}`, path, fix: `write a value ≤ ${p.limit}` };
    case 'minItems':
    case 'maxItems':
      return { message: e.message ?? 'wrong number of items', path, fix: 'adjust the list length' };
    case 'pattern':
      return { message: `does not match the expected form ${p.pattern}`, path, fix: 'see the schema description for the format' };
    default:
      return { message: e.message ?? 'is invalid', path, fix: 'see the schema' };
  }
}

/**
 * Validates parsed YAML against a JSON Schema; throws the most specific problem as an
 * EdgeplanError with file:line:col and the field path. `all` returns every problem instead.
 */
export function checkSchema<T>(doc: LocatedYaml<unknown>, schema: object): LocatedYaml<T> {
  const errs = schemaProblems(doc, schema);
  if (errs.length) throw errs[0];
  return doc as LocatedYaml<T>;
}

export function schemaProblems(doc: LocatedYaml<unknown>, schema: object): EdgeplanError[] {
  const validate = validatorFor(schema);
  if (validate(doc.data)) return [];
  const errors = [...(validate.errors ?? [])].sort((a, b) => rank(b) - rank(a));
  const seen = new Set<string>();
  const out: EdgeplanError[] = [];
  for (const e of errors) {
    const d = describe(e, pathToString(splitPointer(e.instancePath)));
    const key = `${pathToString(d.path)}|${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const { line, col } = doc.locate(d.path);
    out.push(new EdgeplanError('schema', d.message, { file: doc.file, line, col, path: pathToString(d.path) || '(top level)', fix: d.fix }));
  }
  return out;
}

export { isMap, isSeq };
