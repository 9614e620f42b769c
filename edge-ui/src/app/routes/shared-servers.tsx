import { createRoute, redirect } from "@tanstack/react-router";

import { rootRoute } from "@/app/routes/root";
import { GuestShell } from "@/components/layout/guest-shell";
import { PageHeader } from "@/components/page-header";
import { SharedServerList } from "@/features/shared-servers/components/shared-server-list";
import { loadMe, signedOutDestination } from "@/lib/auth";
import { pageHead } from "@/lib/page-title";

/** `/servers`: the game servers the signed-in user owns or is a subuser of, in any organization. */
export const sharedServersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "servers",
  head: () => pageHead("Your servers"),
  beforeLoad: async ({ context: { queryClient }, location }) => {
    const me = await loadMe(queryClient);
    if (!me) {
      const to = await signedOutDestination(queryClient);
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router redirects by throwing
      throw to === "/login" ? redirect({ to, search: { redirect: location.href } }) : redirect({ to });
    }
  },
  component: SharedServersPage,
});

function SharedServersPage() {
  return (
    <GuestShell>
      <PageHeader title="Your servers" description="Game servers you own or were made a subuser of." />
      <SharedServerList />
    </GuestShell>
  );
}
