// `pnpm --filter @cache-doctor/server build` (part of `pnpm build`): the server, the worker and the
// CLI compiled to plain JavaScript in server/dist, run with `node` — no TypeScript loader in
// production (SPEC §11). Every module the entry points import is found by following imports, so a
// new file under src/ needs no list. The workspace's own TypeScript packages (@cache-doctor/shared)
// are bundled in; npm dependencies stay in node_modules, loaded as they are.
import { readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const manifest = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const npmDependencies = Object.entries(manifest.dependencies)
  .filter(([, version]) => !version.startsWith('workspace:'))
  .map(([name]) => name);

const started = performance.now();
// a chunk of an earlier build must not linger beside this one
rmSync(new URL('./dist', import.meta.url), { recursive: true, force: true });
await build({
  absWorkingDir: new URL('.', import.meta.url).pathname,
  entryPoints: { main: 'src/main.ts', worker: 'src/worker.ts', cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  // code the three entries share lives in chunks once; demo mode's sandbox is a chunk of its own,
  // loaded only by a demo start
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // kept beside the code for stack traces (`node --enable-source-maps`); nothing serves server/dist
  sourcemap: true,
  external: npmDependencies.flatMap((name) => [name, `${name}/*`]),
  logLevel: 'warning',
  // esbuild has printed the errors by then; its stack trace would add nothing
}).catch(() => process.exit(1));
console.log(`server/dist built in ${Math.round(performance.now() - started)} ms`);
