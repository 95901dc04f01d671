import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { ZodType } from 'zod';
import { HttpError } from './http-error';

/**
 * zValidator with our error shape. A failing path parameter is an id (SPEC §6: INVALID_ID); any
 * other failure is INVALID_REQUEST naming the fields.
 */
export const validate = <Target extends keyof ValidationTargets, Schema extends ZodType>(
  target: Target,
  schema: Schema,
) =>
  zValidator(target, schema, (result) => {
    if (result.success) return;
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || target}: ${issue.message}`,
    );
    throw new HttpError(400, target === 'param' ? 'INVALID_ID' : 'INVALID_REQUEST', problems.join('; '));
  });
