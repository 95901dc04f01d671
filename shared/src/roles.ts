import { z } from 'zod';

export const ROLES = ['support', 'ops', 'admin'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/**
 * SPEC §8. support reads everything; ops adds the repairs; admin adds rebuild, settings and
 * undoing anyone's change. Permissions are strings so the UI and the server ask the same question.
 */
export const PERMISSIONS = [
  'read',
  'refresh',
  'fix-session',
  'generate',
  'sweep',
  'bulk-refresh',
  'undo:own',
  'undo:any',
  'rebuild',
  'sweep-schedule',
  'settings',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const SUPPORT: readonly Permission[] = ['read'];
const OPS: readonly Permission[] = [
  ...SUPPORT,
  'refresh',
  'fix-session',
  'generate',
  'sweep',
  'bulk-refresh',
  'undo:own',
];
const ADMIN: readonly Permission[] = [...OPS, 'undo:any', 'rebuild', 'sweep-schedule', 'settings'];

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  support: new Set(SUPPORT),
  ops: new Set(OPS),
  admin: new Set(ADMIN),
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].has(permission);
}

export const staffSchema = z.object({ name: z.string(), role: roleSchema });
export type Staff = z.infer<typeof staffSchema>;
