import { parseArgs } from 'node:util';
import { USER_ID_PATTERN } from '@cache-doctor/shared';
import { getCustomerHealth, getCustomerSync, refreshCustomer } from '../services/customers';
import { search } from '../services/search';
import { type CliCommand, type CliIo, EXIT, UsageError } from './command';
import { formatTtl, json, reportError } from './format';

type Health = Awaited<ReturnType<typeof getCustomerHealth>>;
type Sync = Awaited<ReturnType<typeof getCustomerSync>>;

function printReport(io: CliIo, health: Health, sync: Sync): void {
  io.out(`User ${health.userId}${sync.clerk?.primaryEmail ? ` <${sync.clerk.primaryEmail}>` : ''}`);
  io.out(
    `Cache health: ${health.healthy ? 'Healthy' : 'Problems'}   Sync status: ${sync.inSync ? 'In sync' : 'Out of sync'}`,
  );
  for (const problem of [...health.problems, ...sync.problems]) {
    io.out(`  ${problem.severity === 'error' ? '✕' : '!'} ${problem.code}: ${problem.message}`);
  }
  for (const difference of sync.differences) {
    io.out(
      `  ${difference.field}: cache ${difference.cache ?? '—'} | clerk ${difference.clerk ?? '—'} | stripe ${difference.stripe ?? '—'}`,
    );
  }
  for (const key of health.keys) io.out(`  ${key.key.padEnd(48)} ${formatTtl(key.ttl)}`);
}

/** An email (or any search text) resolves to exactly one user, or the command says why not. */
async function resolveUserId(services: Parameters<typeof search>[0], target: string): Promise<string> {
  if (USER_ID_PATTERN.test(target) && target.length <= 255) return target;
  if (!target.includes('@'))
    throw new UsageError(`expected a Clerk user id (user_...) or an email: ${target}`);
  const { results } = await search(services, target);
  const userIds = [
    ...new Set(results.map((result) => result.userId).filter((id): id is string => Boolean(id))),
  ];
  if (userIds.length === 1 && userIds[0]) return userIds[0];
  if (userIds.length === 0) throw new UsageError(`no user found for ${target}`);
  throw new UsageError(`${target} matches several users: ${userIds.join(', ')}`);
}

/** `pnpm cli user <userId|email> [--refresh] [--dry-run] [--json]` — checkCacheHealth + refreshUserCache, kept. */
export const userCommand: CliCommand = {
  usage: 'user <userId|email> [--refresh] [--dry-run] [--json]',
  summary: "show a user's cache health and sync, and refresh it from Stripe (--dry-run shows the plan only)",
  async run({ args, io, open }) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { refresh: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
    });
    const [target, ...extra] = positionals;
    if (!target || extra.length > 0) throw new UsageError('expected exactly one user id or email');
    if (values['dry-run'] && !values.refresh) throw new UsageError('--dry-run goes with --refresh');
    const asJson = values.json === true;
    const { services, actor } = await open();
    try {
      const userId = await resolveUserId(services, target);
      const [health, sync] = await Promise.all([
        getCustomerHealth(services, userId),
        getCustomerSync(services, userId),
      ]);
      const result: Record<string, unknown> = { health, sync };
      if (!asJson) printReport(io, health, sync);
      if (values.refresh) {
        const refresh = await refreshCustomer(services, userId, {
          dryRun: values['dry-run'] === true,
          staff: actor,
        });
        result.refresh = refresh;
        if (!asJson) {
          io.out(
            refresh.applied
              ? `Refreshed (audit entry ${refresh.auditId}):`
              : 'Planned writes (dry run, nothing written):',
          );
          for (const write of refresh.plan) {
            io.out(`  ${write.unchanged ? '=' : write.after === null ? '-' : '+'} ${write.key}`);
          }
        }
      }
      if (asJson) io.out(json(result));
      return EXIT.ok;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      return reportError(io, error, asJson);
    }
  },
};
