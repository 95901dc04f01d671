import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { client, unwrap } from '../api/client';
import { queryKeys } from '../api/queryKeys';

export const PROMPTS_PAGE_SIZE = 20;

/** `GET /api/prompts`: one page of the most recent prompts from `cursor` on (the first without); the page shown stays up while the next loads. */
export function usePrompts(cursor: string | undefined) {
  return useQuery({
    queryKey: queryKeys.sessions.prompts({ limit: PROMPTS_PAGE_SIZE, ...(cursor && { cursor }) }),
    queryFn: () =>
      unwrap(
        client.api.prompts.$get({ query: { limit: String(PROMPTS_PAGE_SIZE), ...(cursor && { cursor }) } }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** `GET /api/stats`: what the old analytics script printed, from one SCAN of every prompt. */
export function usePromptStats() {
  return useQuery({
    queryKey: queryKeys.sessions.stats,
    queryFn: () => unwrap(client.api.stats.$get()),
  });
}
