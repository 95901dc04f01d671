import { parseArgs } from 'node:util';
import { problemTitle, USER_ID_PATTERN } from '@cache-doctor/shared';
import { isAppError } from '../lib/app-error';
import { removeCustomerKeys } from '../services/customer-remove';
import { getCustomerHealth, getCustomerSync, refreshCustomer } from '../services/customers';
import { search } from '../services/search';
import { type CliCommand, type CliIo, confirmPlan, EXIT, UsageError } from './command';
import { formatTtl, json, planLines, reportError } from './format';

type Health = Awaited<ReturnType<typeof getCustomerHealth>>;
type Sync = Awaited<ReturnType<typeof getCustomerSync>>;

function printReport(io: CliIo, health: Health, sync: Sync): void {
  io.out(`User ${health.userId}${sync.clerk?.primaryEmail ? ` <${sync.clerk.primaryEmail}>` : ''}`);
  io.out(
    `Cache health: ${health.healthy ? 'Healthy' : 'Problems'}   Sync status: ${sync.inSync ? 'In sync' : 'Out of sync'}`,
  );
  for (const problem of [...health.problems, ...sync.problems]) {
    io.out(
      `  ${problem.severity === 'error' ? '✕' : '!'} ${problemTitle(problem.code)} (${problem.code}): ${problem.message}`,
    );
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

/** Error-level problems left: what exit code 3 reports (warnings such as NO_STRIPE_CUSTOMER are not). */
const hasProblems = (health: Health, sync: Sync) =>
  [...health.problems, ...sync.problems].some((problem) => problem.severity === 'error');

/** Health and sync read again after a write; an orphaned entry removed leaves nothing to read. */
async function readAgain(services: Parameters<typeof getCustomerHealth>[0], userId: string) {
  try {
    const [health, sync] = await Promise.all([
      getCustomerHealth(services, userId),
      getCustomerSync(services, userId),
    ]);
    return { health, sync, problems: hasProblems(health, sync) };
  } catch (error) {
    if (isAppError(error, 'USER_NOT_FOUND')) return { health: null, sync: null, problems: false };
    throw error;
  }
}

/**
 * Confirmed plans (SPEC §3, §10): the plan has been printed; `apply` (which sends its planId) runs
 * after `--yes` or a yes typed at the terminal. 'dry-run' when only the plan was asked for; null
 * when nobody confirmed (nothing written).
 */
async function applyConfirmed<Result>(
  dryRun: boolean,
  io: CliIo,
  yes: boolean,
  question: string,
  apply: () => Promise<Result>,
): Promise<Result | 'dry-run' | null> {
  if (dryRun) return 'dry-run';
  return (await confirmPlan(io, yes, question)) ? apply() : null;
}

/**
 * `pnpm cli user <userId|email> [--refresh] [--remove] [--yes] [--dry-run] [--json]` — checkCacheHealth
 * + refreshUserCache, kept, and Remove keys; a repair applies its printed plan only once confirmed.
 * Exit 3 while error-level problems remain.
 */
export const userCommand: CliCommand = {
  usage: 'user <userId|email> [--refresh | --remove] [--yes] [--dry-run] [--json]',
  summary:
    "show a user's cache health and sync; refresh it from Stripe, or remove legacy / orphaned keys (--dry-run shows the plan only; --yes applies it without asking)",
  async run({ args, io, open }) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        refresh: { type: 'boolean' },
        remove: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        yes: { type: 'boolean' },
        json: { type: 'boolean' },
      },
    });
    const [target, ...extra] = positionals;
    if (!target || extra.length > 0) throw new UsageError('expected exactly one user id or email');
    if (values.refresh && values.remove) throw new UsageError('--refresh and --remove are separate repairs');
    if (values['dry-run'] && !values.refresh && !values.remove)
      throw new UsageError('--dry-run goes with --refresh or --remove');
    const dryRun = values['dry-run'] === true;
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
      let declined = false;
      if (values.refresh) {
        // the plan first; then exactly that plan (its planId), once confirmed
        const preview = await refreshCustomer(services, userId, { dryRun: true, staff: actor });
        if (!asJson) {
          io.out(
            preview.upToDate
              ? 'Planned writes (already up to date; applying writes nothing):'
              : 'Planned writes:',
          );
          for (const line of planLines(preview.plan)) io.out(line);
        }
        const applied = await applyConfirmed(
          dryRun,
          io,
          values.yes === true,
          `Apply this plan to ${userId}?`,
          () => refreshCustomer(services, userId, { dryRun: false, planId: preview.planId, staff: actor }),
        );
        if (applied === null) declined = true;
        else if (applied !== 'dry-run' && !asJson)
          io.out(
            applied.applied
              ? `Refreshed (audit entry ${applied.auditId}).`
              : 'Already up to date; nothing written.',
          );
        result.refresh = applied === null || applied === 'dry-run' ? preview : applied;
      }
      if (values.remove) {
        // the same as a refresh: the keys listed, then exactly those removed (their planId), once confirmed
        const preview = await removeCustomerKeys(services, userId, { dryRun: true, staff: actor });
        if (!asJson) {
          io.out(dryRun ? 'Keys to remove (dry run, nothing written):' : 'Keys to remove:');
          for (const entry of preview.plan) io.out(`  - ${entry.key} (${entry.reason})`);
        }
        const applied = await applyConfirmed(
          dryRun,
          io,
          values.yes === true,
          `Remove these keys of ${userId}?`,
          () => removeCustomerKeys(services, userId, { dryRun: false, planId: preview.planId, staff: actor }),
        );
        if (applied === null) declined = true;
        else if (applied !== 'dry-run' && !asJson)
          io.out(`Removed (audit entry ${applied.auditId}; undo restores them).`);
        result.remove = applied === null || applied === 'dry-run' ? preview : applied;
      }
      if (declined) {
        if (asJson) io.out(json(result));
        return EXIT.failed;
      }
      const wrote = !dryRun && (values.refresh || values.remove);
      const remaining = wrote ? (await readAgain(services, userId)).problems : hasProblems(health, sync);
      result.problemsRemain = remaining;
      if (asJson) io.out(json(result));
      return remaining ? EXIT.problems : EXIT.ok;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      return reportError(io, error, asJson);
    }
  },
};
