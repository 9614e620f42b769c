import { QueryCache, QueryClient } from "@tanstack/react-query";

import { ApiError } from "@/lib/api-client";
import { queryScopes } from "@/lib/query-keys";

const MAX_RETRIES = 2;

/** Retries network and server failures, never client errors (4xx): asking again won't help. */
function shouldRetry(failureCount: number, error: Error): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < MAX_RETRIES;
}

type QueryClientOptions = {
  /** Called when a query fails because the session ended (HTTP 401), e.g. to go to sign-in. */
  onUnauthenticated?: () => void;
};

/** The app's one QueryClient, with Flamingo's defaults. */
export function createQueryClient({ onUnauthenticated }: QueryClientOptions = {}): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        // The auth queries answer 401 by design ("nobody is signed in"); their routes handle it.
        if (query.queryKey[0] === queryScopes.auth[0]) return;
        if (error instanceof ApiError && error.status === 401) onUnauthenticated?.();
      },
    }),
    defaultOptions: {
      queries: { staleTime: 30_000, retry: shouldRetry },
    },
  });
}
