import { createRoute } from "@tanstack/react-router";

import { tunnelsRoute } from "@/app/routes/tunnels/tunnels";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { OpenATunnel } from "@/features/tunnels/components/connect-commands";
import { AddTunnelHostDialog } from "@/features/tunnels/components/add-tunnel-host-dialog";
import { TunnelHostsTable } from "@/features/tunnels/components/tunnel-hosts-table";
import { useMembership } from "@/lib/auth";
import { can, deniedReason } from "@/lib/authorization";
import { pageHead } from "@/lib/page-title";

/** `/o/$org/tunnels/hosts`: the VPSs that serve tunnels. */
export const tunnelHostsRoute = createRoute({
  getParentRoute: () => tunnelsRoute,
  path: "hosts",
  head: () => pageHead("Hosts", "Tunnels"),
  component: TunnelHostsPage,
});

function TunnelHostsPage() {
  const { org } = tunnelHostsRoute.useParams();
  const role = useMembership(org)?.role;
  const denied = deniedReason(role, "vps", "write");

  return (
    <>
      <Card>
        <CardHeader>
          <CardTitle role="heading" aria-level={2}>
            Tunnel hosts
          </CardTitle>
          <CardDescription>
            {denied ?? "Servers running tunnel-host. Members open tunnels on them with ssh -R."}
          </CardDescription>
          <CardAction>
            <AddTunnelHostDialog org={org} disabledReason={denied} />
          </CardAction>
        </CardHeader>
        <CardContent>
          <TunnelHostsTable org={org} role={role} />
        </CardContent>
      </Card>
      {can(role, "tunnels", "write") ? <OpenATunnel org={org} /> : null}
    </>
  );
}
