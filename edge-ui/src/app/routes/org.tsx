import { Link, Outlet, createRoute, notFound, redirect } from "@tanstack/react-router";

import { rootRoute } from "@/app/routes/root";
import { AppShell } from "@/components/layout/app-shell";
import { PageHeader } from "@/components/page-header";
import { Button } from "@/components/ui/button";
import { UserMenu } from "@/features/auth/components/user-menu";
import { OrgSwitcher } from "@/features/orgs/components/org-switcher";
import { loadMe, signedOutDestination } from "@/lib/auth";
import { pageTitle } from "@/lib/page-title";
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
    // Not a member: no shell of this organization to show, so the root's page answers.
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router's not-found is thrown
    if (!me.memberships.some((m) => m.slug === params.org)) throw notFound({ routeId: rootRoute.id });
  },
  component: OrgLayout,
  // An unknown page inside the organization keeps the shell (sidebar, header, switcher).
  notFoundComponent: OrgNotFound,
});

function OrgNotFound() {
  const { org } = orgRoute.useParams();
  return (
    <>
      <title>{pageTitle("Page not found")}</title>
      <PageHeader title="Page not found" description="There is no page at this address in this organization." />
      <Button asChild>
        <Link to="/o/$org" params={{ org }}>
          Go to the dashboard
        </Link>
      </Button>
    </>
  );
}

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
