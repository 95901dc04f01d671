import {
  JOB_PERMISSION,
  type JobType,
  type Permission,
  ROLES,
  type Role,
  can as roleCan,
} from '@cache-doctor/shared';
import { useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { client, unwrap } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { getToken } from '../api/token';

function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}

/**
 * The signed-in staff member (`GET /api/me`) and what their role may do. The UI hides what a role
 * may not do (SPEC §8) by asking `can('refresh')` etc.; the server enforces it regardless.
 * Until `/api/me` answers, `can` says no to everything, so no button flashes into view and away.
 * `canStart('sweep')` asks the permission shared's JOB_PERMISSION names for starting that job.
 */
export function useStaff() {
  const query = useQuery({
    queryKey: queryKeys.me,
    queryFn: () => unwrap(client.api.me.$get()),
    enabled: getToken() !== null,
    staleTime: 60_000,
  });
  const role = isRole(query.data?.role) ? query.data.role : null;
  const can = useCallback((permission: Permission) => role !== null && roleCan(role, permission), [role]);
  const canStart = useCallback((job: JobType) => can(JOB_PERMISSION[job]), [can]);
  return {
    staff: query.data ?? null,
    role,
    can,
    canStart,
    isLoading: query.isLoading,
    error: query.error,
  };
}
