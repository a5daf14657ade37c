// Worker entry in plain JavaScript: a worker thread does not inherit the CLI's TypeScript loader
// on Node 20, so it registers tsx itself before importing the TypeScript body (as src/sweep does).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
