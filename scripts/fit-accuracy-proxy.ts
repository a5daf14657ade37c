/**
 * Recomputes the accuracy-proxy constants of src/plan/accuracy.ts from accuracy-drop.csv
 * (top-1 rows only). Usage: npx tsx scripts/fit-accuracy-proxy.ts [--data FILE] [--json]
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { fitAccuracyProxy } from './lib/accuracy-proxy-fit.ts';

const args = process.argv.slice(2);
const file = args.includes('--data') ? args[args.indexOf('--data') + 1] : '../shared/data/accuracy-drop.csv';
const fit = fitAccuracyProxy(parse(readFileSync(file, 'utf8'), { columns: true }));
if (args.includes('--json')) console.log(JSON.stringify(fit, null, 2));
else for (const [k, v] of Object.entries(fit)) console.log(`${k}: ${typeof v === 'number' ? v.toFixed(3) : JSON.stringify(v)}`);
