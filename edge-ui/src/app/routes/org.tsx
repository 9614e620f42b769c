import { Outlet, createRoute, notFound, redirect } from "@tanstack/react-router";

import { rootRoute } from "@/app/routes/root";
import { AppShell } from "@/components/layout/app-shell";
import { UserMenu } from "@/features/auth/components/user-menu";
import { OrgSwitcher } from "@/features/orgs/components/org-switcher";
import { loadMe, signedOutDestination } from "@/lib/auth";
import { useOrgEvents } from "@/lib/use-org-events";

/** Everything under `/o/$org` needs a signed-in member of that organization and shares the shell. */
export const orgRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "o/$org",
  beforeLoad: async ({ context: { queryClient }, params, location }) => {
    const me = await loadMe(queryClient);
    if (!me) {
      const to = await signedOutDestination(queryClient);
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router redirects by throwing
      throw to === "/login" ? redirect({ to, search: { redirect: location.href } }) : redirect({ to });
    }
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router's not-found is thrown
    if (!me.memberships.some((m) => m.slug === params.org)) throw notFound();
  },
  component: OrgLayout,
});

function OrgLayout() {
  const { org } = orgRoute.useParams();
  // One live event stream per organization keeps every page under it fresh.
  useOrgEvents(org);
  return (
    <AppShell org={org} switcher={<OrgSwitcher org={org} />} account={<UserMenu org={org} />}>
      <Outlet />
    </AppShell>
  );
}
