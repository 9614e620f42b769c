import { createRoute } from "@tanstack/react-router";

import { orgRoute } from "@/app/routes/org";
import { PageHeader } from "@/components/page-header";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EggsTable } from "@/features/eggs/components/eggs-table";
import { ImportEggDialog } from "@/features/eggs/components/import-egg-dialog";
import { NODES_DENIED, mayManageNodes } from "@/features/nodes/utils/access";
import { useMembership } from "@/lib/auth";
import { pageHead } from "@/lib/page-title";

/** `/o/$org/eggs`: the templates game servers are made from. */
export const eggsRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "eggs",
  head: () => pageHead("Eggs"),
  component: EggsPage,
});

function EggsPage() {
  const { org } = eggsRoute.useParams();
  const mayManage = mayManageNodes(useMembership(org)?.role);
  return (
    <>
      <PageHeader title="Eggs" description="What a game server runs: its images, startup command, variables and install script." />
      <Card>
        <CardHeader>
          <CardTitle role="heading" aria-level={2}>
            Eggs
          </CardTitle>
          <CardDescription>{mayManage ? "Import Pelican and Pterodactyl eggs; export them as PLCN_v3." : NODES_DENIED}</CardDescription>
          <CardAction>
            <ImportEggDialog org={org} disabledReason={mayManage ? undefined : NODES_DENIED} />
          </CardAction>
        </CardHeader>
        <CardContent>
          <EggsTable org={org} mayManage={mayManage} />
        </CardContent>
      </Card>
    </>
  );
}
