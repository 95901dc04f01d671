import type { Staff } from '@cache-doctor/shared';
import type { Services } from '../services/container';

/** Where a command writes: stdout for results, stderr for errors and hints. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** asks a yes/no question on a terminal; absent when nobody can answer (a pipe, a script) */
  confirm?(question: string): Promise<boolean>;
}

/**
 * Confirmed plans on the command line (SPEC §3): the plan has been printed; it is applied, with its
 * planId, after `--yes` or a yes typed at the terminal. Without either nothing is written.
 */
export async function confirmPlan(io: CliIo, yes: boolean, question: string): Promise<boolean> {
  if (yes) return true;
  if (!io.confirm) {
    io.err('Nothing was written: add --yes to apply the plan shown (no terminal to ask).');
    return false;
  }
  return io.confirm(`${question} [y/N] `);
}

export interface OpenedServices {
  services: Services;
  actor: Staff;
}

export interface CliContext {
  args: string[];
  io: CliIo;
  /** Connects on first use, so `--help` and usage errors never need Redis. */
  open(): Promise<OpenedServices>;
}

/** One subcommand of `pnpm cli`. */
export interface CliCommand {
  /** one line, e.g. `session <sessionId> [--fix] [--generate] [--json]` */
  usage: string;
  summary: string;
  /** resolves to the process exit code */
  run(context: CliContext): Promise<number>;
}

/**
 * Exit codes: 0 done, 1 refused or failed (the message says why), 2 wrong usage, 3 done and found
 * problems (a sweep: so a cron job or a CI step can alert on it).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, problems: 3 } as const;

export class UsageError extends Error {}
