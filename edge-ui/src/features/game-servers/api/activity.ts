import { keepPreviousData, useQuery } from "@tanstack/react-query";

import { gameServerKeys, serverPath } from "@/features/game-servers/api/servers";
import { activityPageSchema } from "@/features/game-servers/schemas/server";
import { api } from "@/lib/api-client";

export const ACTIVITY_PAGE_SIZE = 50;

export type ActivityFilter = { event?: string; source?: "flamingo" | "wings"; page: number };

/** `GET …/servers/{server}/activity`, newest first; `event` is a name or a prefix ending in `*`. */
export function useServerActivity(org: string, server: string, filter: ActivityFilter) {
  return useQuery({
    queryKey: [...gameServerKeys.detail(org, server), "activity", filter.event ?? "", filter.page] as const,
    queryFn: ({ signal }) => {
      const params = new URLSearchParams({
        limit: String(ACTIVITY_PAGE_SIZE),
        offset: String((filter.page - 1) * ACTIVITY_PAGE_SIZE),
      });
      if (filter.event) params.set("event", filter.event);
      return api.get(serverPath(org, server, `/activity?${params.toString()}`), activityPageSchema, signal);
    },
    placeholderData: keepPreviousData,
  });
}
