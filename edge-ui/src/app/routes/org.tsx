import { Link, Outlet, createRoute, notFound, redirect } from "@tanstack/react-router";

import { rootRoute } from "@/app/routes/root";
import { AppShell } from "@/components/layout/app-shell";
import { GuestShell } from "@/components/layout/guest-shell";
import { PageHeader } from "@/components/page-header";
import { Button } from "@/components/ui/button";
import { UserMenu } from "@/features/auth/components/user-menu";
import { OrgSwitcher } from "@/features/orgs/components/org-switcher";
import { loadSharedServers } from "@/features/shared-servers/api/shared-servers";
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
    if (me.memberships.some((m) => m.slug === params.org)) return { guest: false };
    // Not a member, but the owner or a subuser of this server: its pages, in a
    // frame without the organization's (the API decides what they may do there).
    const server = serverInPath(location.pathname, params.org);
    if (server && (await loadSharedServers(queryClient)).some((s) => s.org === params.org && s.id === server)) {
      return { guest: true };
    }
    // Otherwise there is no shell of this organization to show, so the root's page answers.
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router's not-found is thrown
    throw notFound({ routeId: rootRoute.id });
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

/** The server id when `pathname` is one of `org`'s server pages (`/o/{org}/game-servers/{id}`). */
function serverInPath(pathname: string, org: string): string | undefined {
  const [, o, slug, section, server, ...rest] = pathname.split("/");
  if (o !== "o" || slug !== encodeURIComponent(org) || section !== "game-servers" || !server || rest.length > 0) return undefined;
  return decodeURIComponent(server);
}

function OrgLayout() {
  const { guest } = orgRoute.useRouteContext();
  return guest ? (
    <GuestShell>
      <Outlet />
    </GuestShell>
  ) : (
    <MemberLayout />
  );
}

function MemberLayout() {
  const { org } = orgRoute.useParams();
  // One live event stream per organization keeps every page under it fresh.
  useOrgEvents(org);
  return (
    <AppShell org={org} switcher={<OrgSwitcher org={org} />} account={<UserMenu org={org} />}>
      <Outlet />
    </AppShell>
  );
}
