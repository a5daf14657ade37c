/**
 * Worker threads over TypeScript sources. A worker does not inherit the CLI's TypeScript loader
 * on Node 20, and registering tsx in each worker costs ~270 ms (it starts a module-hooks thread
 * and an esbuild service per worker). Instead the worker's entry file is bundled once per process,
 * in memory, with esbuild (tsx's own compiler, well kept and already installed) and started from a
 * data: URL: a worker is ready in ~40 ms. Packages stay external and are imported by their
 * resolved file URLs, so nothing depends on the working directory.
 */
import { build } from 'esbuild';
import { builtinModules } from 'node:module';
import { Worker } from 'node:worker_threads';

const bundles = new Map<string, Promise<URL>>();

/** The entry file bundled to one ES module, as a data: URL (cached per entry). */
function bundled(entry: URL): Promise<URL> {
  let b = bundles.get(entry.href);
  if (!b) {
    b = build({
      entryPoints: [decodeURIComponent(entry.pathname)], bundle: true, format: 'esm', platform: 'node', target: 'node20', write: false, logLevel: 'silent',
      plugins: [{
        name: 'external-packages',
        setup(p) {
          // Bare specifiers (packages, node builtins) stay imports, resolved from this file's location.
          p.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith('node:') || builtinModules.includes(args.path)) return { path: args.path, external: true };
            return { path: import.meta.resolve(args.path), external: true };
          });
        },
      }],
    }).then((r) => new URL(`data:text/javascript,${encodeURIComponent(r.outputFiles[0].text)}`));
    bundles.set(entry.href, b);
  }
  return b;
}

/** Starts a worker thread running the TypeScript module at `entry` with `workerData`. */
export async function startWorker(entry: URL, workerData: unknown): Promise<Worker> {
  return new Worker(await bundled(entry), { workerData });
}
