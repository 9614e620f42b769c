import { Outlet, createRoute } from "@tanstack/react-router";

import { rootRoute } from "@/app/routes/root";
import { AppShell } from "@/components/layout/app-shell";

/** Everything under `/o/$org` shares the shell and knows its organization. */
export const orgRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "o/$org",
  component: OrgLayout,
});

function OrgLayout() {
  const { org } = orgRoute.useParams();
  return (
    <AppShell org={org}>
      <Outlet />
    </AppShell>
  );
}
