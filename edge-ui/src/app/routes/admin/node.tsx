import { Link, createRoute, useNavigate } from "@tanstack/react-router";

import { orgRoute } from "@/app/routes/org";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { PageHeader } from "@/components/page-header";
import { ErrorState, ListSkeleton } from "@/components/query-states";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { useDeleteNode, useNode, useSetMaintenance } from "@/features/nodes/api/nodes";
import { AllocationsEditor } from "@/features/nodes/components/allocations-editor";
import { NodeConfiguration } from "@/features/nodes/components/node-configuration";
import { NodeStatus, NodeUtilization } from "@/features/nodes/components/node-status";
import type { NodeRow } from "@/features/nodes/schemas/node";
import { mayManageNodes } from "@/features/nodes/utils/access";
import { useMembership } from "@/lib/auth";
import { pageTitle } from "@/lib/page-title";

/** `/o/$org/nodes/$node`: one node's status, configuration, token and allocations. */
export const nodeRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "nodes/$node",
  component: NodePage,
});

function NodeSummary({ org, node, mayManage }: { org: string; node: NodeRow; mayManage: boolean }) {
  const maintenance = useSetMaintenance(org, node);
  const remove = useDeleteNode(org);
  const navigate = useNavigate();
  return (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          Status
        </CardTitle>
        <CardDescription>
          {node.scheme}://{node.fqdn}:{String(node.daemon_port)}, SFTP on port {String(node.sftp_port)}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <div className="flex flex-wrap items-start gap-6">
          <NodeStatus org={org} node={node.id} />
          <NodeUtilization org={org} node={node.id} />
        </div>
        {mayManage ? (
          <div className="flex flex-wrap gap-2">
            <Button
              variant="outline"
              disabled={maintenance.isPending}
              onClick={() => {
                maintenance.mutate(!node.maintenance);
              }}
            >
              {maintenance.isPending ? "Saving…" : node.maintenance ? "End maintenance" : "Start maintenance"}
            </Button>
            <ConfirmDialog
              trigger={
                <Button variant="outline" disabled={remove.isPending || node.servers > 0}>
                  Remove node
                </Button>
              }
              title={`Remove ${node.name}?`}
              description="Its allocations are removed with it. Wings on the machine keeps running but can no longer reach the panel."
              confirmLabel="Remove node"
              onConfirm={() => {
                remove.mutate(node, {
                  onSuccess: () => void navigate({ to: "/o/$org/nodes", params: { org } }),
                });
              }}
            />
          </div>
        ) : null}
        {node.servers > 0 && mayManage ? (
          <p className="text-sm text-muted-foreground">A node with servers on it cannot be removed.</p>
        ) : null}
      </CardContent>
    </Card>
  );
}

function NodePage() {
  const { org, node: id } = nodeRoute.useParams();
  const node = useNode(org, id);
  const mayManage = mayManageNodes(useMembership(org)?.role);
  if (node.isPending) return <ListSkeleton label="Loading the node…" />;
  if (node.isError)
    return (
      <>
        <title>{pageTitle("Node")}</title>
        <PageHeader title="Node" />
        <ErrorState title="Could not load this node." error={node.error} onRetry={() => void node.refetch()} />
      </>
    );
  return (
    <>
      <title>{pageTitle(node.data.name, "Nodes")}</title>
      <PageHeader
        title={node.data.name}
        description={
          <>
            <Link to="/o/$org/nodes" params={{ org }} className="underline underline-offset-4">
              Nodes
            </Link>
            {node.data.description ? ` · ${node.data.description}` : null}
          </>
        }
      />
      <div className="grid gap-6">
        <NodeSummary org={org} node={node.data} mayManage={mayManage} />
        {mayManage ? <NodeConfiguration org={org} node={node.data} /> : null}
        <AllocationsEditor org={org} node={id} mayManage={mayManage} />
      </div>
    </>
  );
}
