import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { ZodType } from 'zod';
import { AppError } from './app-error';

/** Fields that carry an id: SPEC §6 answers a bad one with INVALID_ID, wherever it is sent. */
const isIdField = (path: readonly PropertyKey[]) => /(^id|Id)$/.test(String(path[path.length - 1] ?? ''));

/**
 * zValidator with our error shape. A failing id (path parameter or `...Id` field) is INVALID_ID;
 * any other failure is INVALID_REQUEST naming the fields.
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
    const code =
      target === 'param' || result.error.issues.some((issue) => isIdField(issue.path))
        ? 'INVALID_ID'
        : 'INVALID_REQUEST';
    throw new AppError(code, problems.join('; '));
  });
