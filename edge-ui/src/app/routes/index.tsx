import { createRoute, redirect } from "@tanstack/react-router";

import { rootRoute } from "@/app/routes/root";

/**
 * The organization a visitor lands in. Until accounts and organizations exist
 * everyone lands in "default"; this is the one place to change that.
 */
export const LANDING_ORG = "default";

/** `/` has no page of its own: it sends the visitor to their organization. */
export const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  beforeLoad: () => {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router redirects by throwing
    throw redirect({ to: "/o/$org", params: { org: LANDING_ORG } });
  },
});
