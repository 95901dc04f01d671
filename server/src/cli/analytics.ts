import { parseArgs } from 'node:util';
import {
  listRecentPrompts,
  MAX_PROMPT_PAGE,
  type PromptPage,
  type PromptStatsReport,
  readPromptStats,
} from '../services/prompts';
import { type CliCommand, type CliIo, EXIT, UsageError } from './command';
import { json, reportError, truncate } from './format';

const DEFAULT_LIMIT = 10;

function printPrompts(io: CliIo, page: PromptPage): void {
  io.out(`Most recent prompts (${page.prompts.length})`);
  for (const prompt of page.prompts) {
    io.out(
      `  ${prompt.timestamp ?? 'no date'}  ${prompt.sessionId}  ${prompt.length} chars  ${prompt.diagnosisCode}`,
    );
    io.out(`    ${truncate(prompt.preview.replace(/\s+/g, ' '), 100)}`);
  }
}

function printStats(io: CliIo, stats: PromptStatsReport): void {
  io.out('Prompt statistics');
  io.out(`  Total prompts:   ${stats.totalPrompts}`);
  io.out(`  Total length:    ${stats.totalLength} characters`);
  io.out(`  Average length:  ${stats.averageLength.toFixed(1)} characters`);
  for (const [label, extreme] of [
    ['Longest', stats.longest],
    ['Shortest', stats.shortest],
  ] as const) {
    if (extreme)
      io.out(
        `  ${`${label}:`.padEnd(16)} ${extreme.length} chars, ${extreme.sessionId} (${extreme.date ?? 'no date'}): ${truncate(extreme.preview.replace(/\s+/g, ' '), 60)}`,
      );
  }
  io.out('Length distribution');
  const widest = Math.max(1, ...stats.histogram.map((bucket) => bucket.count));
  for (const bucket of stats.histogram) {
    const bar = '█'.repeat(Math.round((bucket.count / widest) * 30));
    io.out(
      `  ${bucket.bucket.padEnd(10)} ${String(bucket.count).padStart(7)}  ${`${bucket.percentage}%`.padStart(6)}  ${bar}`,
    );
  }
  const counts = (record: Record<string, number | undefined>) =>
    Object.entries(record)
      .map(([key, count]) => `${key} ${count}`)
      .join(', ') || 'none';
  io.out(`By diagnosis (from Redis alone): ${counts(stats.byDiagnosis)}`);
  io.out(`By webhook status: ${counts(stats.byWebhookStatus)}`);
  io.out('Prompts per day');
  for (const day of stats.perDay) io.out(`  ${day.date}  ${day.count}`);
  if (stats.undated > 0) io.out(`  no date     ${stats.undated}`);
  io.out(`Scanned ${stats.scannedKeys} keys in ${stats.durationMs} ms (${stats.unreadable} unreadable).`);
}

/** `pnpm cli analytics [--prompts] [--limit N | --limit=N] [--stats] [--json]` — redis-analytics.js, kept. */
export const analyticsCommand: CliCommand = {
  usage: 'analytics [--prompts] [--limit N | --limit=N] [--stats] [--json]',
  summary: 'recent prompts and prompt statistics (SCAN, never KEYS); both when neither is given',
  async run({ args, io, open }) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        prompts: { type: 'boolean' },
        stats: { type: 'boolean' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals[0]}`);
    const limit = values.limit === undefined ? DEFAULT_LIMIT : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PROMPT_PAGE)
      throw new UsageError(`--limit must be a whole number from 1 to ${MAX_PROMPT_PAGE}`);
    const both = !values.prompts && !values.stats;
    const asJson = values.json === true;
    const { services } = await open();
    try {
      const result: { prompts?: PromptPage; stats?: PromptStatsReport } = {};
      if (values.prompts || both) result.prompts = await listRecentPrompts(services, { limit });
      if (values.stats || both) result.stats = await readPromptStats(services);
      if (asJson) io.out(json(result));
      else {
        if (result.prompts) printPrompts(io, result.prompts);
        if (result.prompts && result.stats) io.out('');
        if (result.stats) printStats(io, result.stats);
      }
      return EXIT.ok;
    } catch (error) {
      return reportError(io, error, asJson);
    }
  },
};
