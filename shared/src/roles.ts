import { z } from 'zod';
import type { CreateJob, JobType, SessionSweepAction } from './jobs';

export const ROLES = ['support', 'ops', 'admin'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/**
 * SPEC §8. support reads everything; ops adds the repairs; admin adds rebuild, settings and
 * undoing anyone's change. Permissions are strings so the UI and the server ask the same question;
 * each is held by the role named here and every role above it.
 */
const LEAST_ROLE = {
  read: 'support',
  refresh: 'ops',
  'fix-session': 'ops',
  generate: 'ops',
  remove: 'ops',
  sweep: 'ops',
  'bulk-refresh': 'ops',
  'undo:own': 'ops',
  'undo:any': 'admin',
  rebuild: 'admin',
  'sweep-schedule': 'admin',
  settings: 'admin',
  /** switch automatic repairs on, off or to dry-run, change their limits, pause them all */
  policies: 'admin',
} as const satisfies Record<string, Role>;
export type Permission = keyof typeof LEAST_ROLE;
export const PERMISSIONS = Object.keys(LEAST_ROLE) as Permission[];

export function can(role: Role, permission: Permission): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(LEAST_ROLE[permission]);
}

/**
 * Who may start (and cancel) which job (SPEC §8): ops sweeps, bulk-refreshes and fixes or
 * generates sessions in bulk, admin alone rebuilds.
 */
export const JOB_PERMISSION: Record<JobType, Permission> = {
  sweep: 'sweep',
  'bulk-refresh': 'bulk-refresh',
  rebuild: 'rebuild',
  'session-sweep': 'sweep',
};

/** A session sweep that repairs needs the permission of the repair it makes. */
export const SESSION_SWEEP_PERMISSION: Record<SessionSweepAction, Permission> = {
  report: 'sweep',
  fix: 'fix-session',
  generate: 'generate',
};

/** The permission a job request needs to start. */
export const permissionToStart = (request: CreateJob): Permission =>
  request.type === 'session-sweep' ? SESSION_SWEEP_PERMISSION[request.action] : JOB_PERMISSION[request.type];

/**
 * Who acts (SPEC §8): `id` is stable and unique — the Clerk user id, the token's name in token mode,
 * `cli:<os user>` on the command line — and is what "undo own", the audit log and the rate limit key
 * on; `name` is only shown. Two people may share a name, never an id.
 */
export const staffSchema = z.object({ id: z.string(), name: z.string(), role: roleSchema });
export type Staff = z.infer<typeof staffSchema>;
