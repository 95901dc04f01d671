import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Figure, kb, missedIn, note, printTable, type SectionResult, seconds, timed } from './lib';

/**
 * Issue 8: the web app's JavaScript as a browser downloads it. Builds the app into a temp dir (so
 * a `web/dist` being served or tested meanwhile is left alone), then prints every JS chunk's raw
 * and gzip size and the initial JS: the entry `<script>`, the `modulepreload` links of index.html,
 * and every chunk those import statically (dynamic `import()` is what loads later).
 */

const INITIAL_GOAL_KB = 250;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Static `import … from "./x.js"`, `import "./x.js"` and `export … from "./x.js"`; never `import("./x.js")`. */
const STATIC_IMPORT = /\b(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'](\.{1,2}\/[^"']+\.js)["']/g;
const HTML_JS = /<(?:script|link)\b[^>]*?\b(?:src|href)="\/?([^"]+\.js)"[^>]*>/g;

interface Chunk {
  file: string;
  raw: number;
  gzip: number;
  text: string;
}

function readChunks(dir: string): Map<string, Chunk> {
  const chunks = new Map<string, Chunk>();
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const file = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.js')) {
        const bytes = readFileSync(join(dir, file));
        chunks.set(file, {
          file,
          raw: bytes.length,
          gzip: gzipSync(bytes).length,
          text: bytes.toString('utf8'),
        });
      }
    }
  };
  walk('');
  return chunks;
}

/** The chunks the first page load fetches: index.html's JS and, transitively, their static imports. */
function initialChunks(html: string, chunks: Map<string, Chunk>): Set<string> {
  const initial = new Set<string>();
  const visit = (file: string) => {
    const chunk = chunks.get(file);
    if (!chunk || initial.has(file)) return;
    initial.add(file);
    for (const match of chunk.text.matchAll(STATIC_IMPORT)) {
      visit(posix.normalize(posix.join(posix.dirname(file), match[1] as string)));
    }
  };
  for (const match of html.matchAll(HTML_JS)) visit(match[1] as string);
  return initial;
}

export async function benchBundle(): Promise<SectionResult> {
  const outDir = mkdtempSync(join(tmpdir(), 'cache-doctor-bundle-'));
  try {
    const { ms: buildMs } = await timed(async () => {
      try {
        execFileSync(
          'pnpm',
          [
            '--filter',
            '@cache-doctor/web',
            'build',
            '--outDir',
            outDir,
            '--emptyOutDir',
            '--logLevel',
            'warn',
          ],
          { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
        );
      } catch (error) {
        const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
        throw new Error(`web build failed:\n${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`);
      }
    });
    note(`pnpm --filter @cache-doctor/web build (into a temp dir) took ${seconds(buildMs)}`);

    const chunks = readChunks(outDir);
    const initial = initialChunks(readFileSync(join(outDir, 'index.html'), 'utf8'), chunks);
    const sorted = [...chunks.values()].sort((a, b) => b.gzip - a.gzip);
    const chunkRows: Figure[] = sorted.map((chunk) => ({
      figure: `${chunk.file}${initial.has(chunk.file) ? '  (initial)' : ''}`,
      value: `${kb(chunk.raw)} raw · ${kb(chunk.gzip)} gzip`,
    }));
    const sum = (pick: (c: Chunk) => number, only?: Set<string>) =>
      sorted.filter((c) => !only || only.has(c.file)).reduce((total, c) => total + pick(c), 0);
    const initialGzip = sum((c) => c.gzip, initial);
    const rows: Figure[] = [
      ...chunkRows,
      {
        figure: `all JS (${chunks.size} chunks)`,
        value: `${kb(sum((c) => c.raw))} raw · ${kb(sum((c) => c.gzip))} gzip`,
      },
      {
        figure: `initial JS (${initial.size} chunks: entry + its static imports)`,
        value: `${kb(sum((c) => c.raw, initial))} raw · ${kb(initialGzip)} gzip`,
        goal: `≤ ${INITIAL_GOAL_KB} KB gzip`,
        ok: initialGzip / 1024 <= INITIAL_GOAL_KB,
      },
    ];
    printTable('bundle · web app JavaScript (gzip: node:zlib, default level)', rows);
    return {
      summary: `initial JS ${kb(initialGzip)} gzip (goal ≤ ${INITIAL_GOAL_KB} KB), ${chunks.size} chunks, ${kb(sum((c) => c.gzip))} gzip in all`,
      missed: missedIn(rows),
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
