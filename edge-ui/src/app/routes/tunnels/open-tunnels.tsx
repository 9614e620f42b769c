import { createRoute } from "@tanstack/react-router";

import { tunnelsRoute } from "@/app/routes/tunnels/tunnels";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { OpenATunnel } from "@/features/tunnels/components/connect-commands";
import { TunnelsTable } from "@/features/tunnels/components/tunnels-table";
import { useMembership } from "@/lib/auth";
import { can, deniedReason } from "@/lib/authorization";
import { pageHead } from "@/lib/page-title";

/** `/o/$org/tunnels`: the open tunnels, live. */
export const openTunnelsRoute = createRoute({
  getParentRoute: () => tunnelsRoute,
  path: "/",
  head: () => pageHead("Tunnels"),
  component: OpenTunnelsPage,
});

function OpenTunnelsPage() {
  const { org } = openTunnelsRoute.useParams();
  const role = useMembership(org)?.role;
  const denied = deniedReason(role, "tunnels", "write");

  return (
    <>
      <Card>
        <CardHeader>
          <CardTitle role="heading" aria-level={2}>
            Open tunnels
          </CardTitle>
          <CardDescription>{denied ?? "Updated live. Kick a tunnel to close it at once."}</CardDescription>
        </CardHeader>
        <CardContent>
          <TunnelsTable org={org} role={role} />
        </CardContent>
      </Card>
      {can(role, "tunnels", "write") ? <OpenATunnel org={org} /> : null}
    </>
  );
}

