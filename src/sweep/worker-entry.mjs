// Worker entry in plain JavaScript: a worker thread does not inherit the CLI's TypeScript loader
// on Node 20 (and `execArgv: ['--import', 'tsx']` does not apply to the entry module), so it
// registers tsx itself before importing the TypeScript body.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
