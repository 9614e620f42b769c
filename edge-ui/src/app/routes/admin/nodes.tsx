import { createRoute } from "@tanstack/react-router";

import { orgRoute } from "@/app/routes/org";
import { PageHeader } from "@/components/page-header";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { CreateNodeDialog } from "@/features/nodes/components/create-node-dialog";
import { NodesTable } from "@/features/nodes/components/nodes-table";
import { NODES_DENIED, mayManageNodes } from "@/features/nodes/utils/access";
import { useMembership } from "@/lib/auth";
import { pageHead } from "@/lib/page-title";

/** `/o/$org/nodes`: the machines running Wings, online or not. */
export const nodesRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "nodes",
  head: () => pageHead("Nodes"),
  component: NodesPage,
});

function NodesPage() {
  const { org } = nodesRoute.useParams();
  const mayManage = mayManageNodes(useMembership(org)?.role);
  return (
    <>
      <PageHeader title="Nodes" description="Machines running Pelican Wings, where game servers run." />
      <Card>
        <CardHeader>
          <CardTitle role="heading" aria-level={2}>
            Wings nodes
          </CardTitle>
          <CardDescription>{mayManage ? "Status and use are asked of each node as the page opens." : NODES_DENIED}</CardDescription>
          <CardAction>
            <CreateNodeDialog org={org} disabledReason={mayManage ? undefined : NODES_DENIED} />
          </CardAction>
        </CardHeader>
        <CardContent>
          <NodesTable org={org} mayManage={mayManage} />
        </CardContent>
      </Card>
    </>
  );
}
