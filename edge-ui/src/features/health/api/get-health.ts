import { queryOptions, useQuery } from "@tanstack/react-query";

import { ApiError, apiRequest } from "@/lib/api-client";
import { healthSchema, type Health } from "@/features/health/schemas/health";

/** Query keys for the health feature. */
export const healthKeys = {
  all: ["health"] as const,
};

/** How often the status card re-checks while it is on screen. */
const REFRESH_MS = 30_000;
/** How soon it re-checks a degraded or failed answer, so a passing hiccup clears in seconds. */
const RECHECK_MS = 5_000;

/** Fetches the system status; a degraded system (HTTP 503 with a health body) is a result, not an error. */
export async function getHealth(signal?: AbortSignal): Promise<Health> {
  try {
    return await apiRequest("/api/health", { schema: healthSchema, signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 503) {
      const degraded = healthSchema.safeParse(error.body);
      if (degraded.success) return degraded.data;
    }
    throw error;
  }
}

export function getHealthQueryOptions() {
  return queryOptions({
    queryKey: healthKeys.all,
    queryFn: ({ signal }) => getHealth(signal),
    refetchInterval: (query) => (query.state.data?.status === "ok" ? REFRESH_MS : RECHECK_MS),
  });
}

export function useHealth() {
  return useQuery(getHealthQueryOptions());
}
