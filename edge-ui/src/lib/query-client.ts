import { QueryClient } from "@tanstack/react-query";

import { ApiError } from "@/lib/api-client";

const MAX_RETRIES = 2;

/** Retries network and server failures, never client errors (4xx): asking again won't help. */
function shouldRetry(failureCount: number, error: Error): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < MAX_RETRIES;
}

/** The app's one QueryClient, with Flamingo's defaults. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 30_000, retry: shouldRetry },
    },
  });
}
