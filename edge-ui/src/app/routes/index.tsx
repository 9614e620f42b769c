import { createRoute, redirect } from "@tanstack/react-router";
import { Building2, LogOut } from "lucide-react";
import { useState } from "react";

import { rootRoute } from "@/app/routes/root";
import { AuthLayout } from "@/components/layout/auth-layout";
import { EmptyState } from "@/components/query-states";
import { Button } from "@/components/ui/button";
import { useLogout } from "@/features/auth/api/logout";
import { CreateOrganizationDialog } from "@/features/orgs/components/create-organization-dialog";
import { loadSharedServers } from "@/features/shared-servers/api/shared-servers";
import { loadMe, signedOutDestination } from "@/lib/auth";
import { pageHead } from "@/lib/page-title";

/**
 * `/` has no page of its own: it sends the visitor to their first
 * organization, or to first-run setup, or to sign-in. Only someone signed in
 * with no organization at all stays, to create one.
 */
export const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  head: () => pageHead("No organization yet"),
  beforeLoad: async ({ context: { queryClient } }) => {
    const me = await loadMe(queryClient);
    if (!me) {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router redirects by throwing
      throw redirect({ to: await signedOutDestination(queryClient) });
    }
    const first = me.memberships[0];
    if (first) {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router redirects by throwing
      throw redirect({ to: "/o/$org", params: { org: first.slug } });
    }
    // A subuser of some servers and a member of no organization: their servers.
    if ((await loadSharedServers(queryClient)).length > 0) {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router redirects by throwing
      throw redirect({ to: "/servers" });
    }
  },
  component: NoOrganization,
});

function NoOrganization() {
  const navigate = indexRoute.useNavigate();
  const logout = useLogout();
  const [creating, setCreating] = useState(false);

  return (
    <AuthLayout title="No organization yet" description="You are signed in but not a member of any organization.">
      <div className="grid gap-4">
        <EmptyState icon={Building2} title="Create one, or ask for an invitation link">
          An owner or admin of an existing organization can invite you.
        </EmptyState>
        <Button
          onClick={() => {
            setCreating(true);
          }}
        >
          Create organization
        </Button>
        <Button
          variant="ghost"
          disabled={logout.isPending}
          onClick={() => {
            logout.mutate();
          }}
        >
          <LogOut aria-hidden="true" />
          Sign out
        </Button>
      </div>
      <CreateOrganizationDialog
        open={creating}
        onOpenChange={setCreating}
        onCreated={(org) => {
          void navigate({ to: "/o/$org", params: { org: org.slug } });
        }}
      />
    </AuthLayout>
  );
}
