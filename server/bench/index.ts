import { availableParallelism, loadavg } from 'node:os';
import { benchBundle } from './bundle';
import { benchCustomer } from './customer';
import { benchJobs } from './jobs';
import { MISS, type SectionResult, seconds } from './lib';
import { benchMetrics } from './metrics';
import { benchSessionSweep } from './session-sweep';
import { benchSessions } from './sessions';

/**
 * `pnpm bench [section …]`: measures and prints SPEC §4's figures, one table per section, then a
 * summary line per section. Each section starts its own throw-away redis-server and sandbox and
 * stops them. A missed goal is marked, not failed: the exit code is 0 unless a section crashed.
 */

type Section = () => Promise<SectionResult>;

const SECTIONS: Record<string, Section> = {
  customer: benchCustomer,
  sessions: benchSessions,
  jobs: benchJobs,
  'session-sweep': benchSessionSweep,
  metrics: async () => {
    await benchMetrics();
    return { summary: 'figures above', missed: 0 };
  },
  bundle: benchBundle,
};

/** Everything here shares the CPU with whatever else runs: a busy machine inflates every figure. */
function machineLoad(): string {
  const [one = 0] = loadavg();
  const cores = availableParallelism();
  const busy = one > cores * 0.5 ? ' — other processes are busy: figures are upper bounds' : '';
  return `  · machine: ${cores} cores, load average ${one.toFixed(2)} (1 min)${busy}`;
}

async function main(): Promise<number> {
  const asked = process.argv.slice(2).filter((arg) => arg !== '--');
  const unknown = asked.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0) {
    console.error(
      `Unknown section: ${unknown.join(', ')}. Usage: pnpm bench [${Object.keys(SECTIONS).join(' | ')}]`,
    );
    return 2;
  }
  const names = asked.length > 0 ? asked : Object.keys(SECTIONS);
  const results: { name: string; ms: number; result: SectionResult | Error }[] = [];
  for (const name of names) {
    console.log(`\n=== ${name} ${'='.repeat(Math.max(0, 70 - name.length))}`);
    console.log(machineLoad());
    const section = SECTIONS[name] as Section;
    const started = performance.now();
    let result: SectionResult | Error;
    try {
      result = await section();
    } catch (error) {
      console.error(
        `\n${name} · FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      result = error instanceof Error ? error : new Error(String(error));
    }
    results.push({ name, ms: performance.now() - started, result });
  }

  console.log('\n=== summary ================================================================');
  for (const { name, ms, result } of results) {
    const status =
      result instanceof Error
        ? 'FAILED (see above)'
        : result.skipped
          ? `skipped · ${result.summary}`
          : `${result.missed > 0 ? `${MISS} ${result.missed} goal(s)` : 'goals met'} · ${result.summary}`;
    console.log(`  ${name.padEnd(8)} ${status}  [${seconds(ms)}]`);
  }
  console.log(machineLoad());
  return results.some(({ result }) => result instanceof Error) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
