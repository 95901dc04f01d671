import type { Permission, Staff } from '@cache-doctor/shared';
import { can } from '@cache-doctor/shared';
import { createMiddleware } from 'hono/factory';
import { AppError } from '../lib/app-error';
import type { Authenticator } from './authenticator';

export interface AppEnv {
  Variables: { staff: Staff; requestId: string; clientRequestId?: string };
}

/** 401 unless the request carries a staff identity; the identity is then `c.var.staff`. */
export const requireStaff = (authenticator: Authenticator) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const staff = match?.[1] ? await authenticator.authenticate(match[1]) : null;
    if (!staff)
      throw new AppError('UNAUTHENTICATED', 'Sign in first: send Authorization: Bearer <staff token>.');
    c.set('staff', staff);
    await next();
  });

/** The first line of every mutating handler: 403 for a role that may not act. */
export const requirePermission = (permission: Permission) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const staff = c.get('staff');
    if (!can(staff.role, permission)) {
      throw new AppError('FORBIDDEN', `The ${staff.role} role may not ${permission.replace(':', ' ')}.`);
    }
    await next();
  });
