import { Link } from "@tanstack/react-router";
import { HardDrive } from "lucide-react";

import { DataTable, type DataColumn } from "@/components/data-table";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Badge } from "@/components/ui/badge";
import { useNodes } from "@/features/nodes/api/nodes";
import { NodeStatus, NodeUtilization } from "@/features/nodes/components/node-status";
import type { NodeRow } from "@/features/nodes/schemas/node";
import { formatCount } from "@/lib/format";

function columns(org: string): DataColumn<NodeRow>[] {
  return [
    {
      id: "name",
      header: "Name",
      cell: (node) => (
        <>
          <Link
            to="/o/$org/nodes/$node"
            params={{ org, node: node.id }}
            className="font-medium underline-offset-4 hover:underline"
          >
            {node.name}
          </Link>
          <div className="font-mono text-xs font-normal text-muted-foreground">
            {node.scheme}://{node.fqdn}:{String(node.daemon_port)}
          </div>
          {node.maintenance ? (
            <Badge variant="outline" className="mt-1">
              Maintenance
            </Badge>
          ) : null}
        </>
      ),
    },
    { id: "status", header: "Status", cell: (node) => <NodeStatus org={org} node={node.id} /> },
    { id: "use", header: "Utilization", hideBelow: "3xl", cell: (node) => <NodeUtilization org={org} node={node.id} /> },
    {
      id: "allocations",
      header: "Allocations used",
      align: "right",
      cell: (node) => `${formatCount(node.allocations_used)} of ${formatCount(node.allocations)}`,
    },
    { id: "servers", header: "Servers", align: "right", cell: (node) => formatCount(node.servers) },
  ];
}

/** The organization's Wings nodes, each with whether it answers now and what it uses. */
export function NodesTable({ org, mayManage }: { org: string; mayManage: boolean }) {
  const nodes = useNodes(org);
  if (nodes.isPending) return <ListSkeleton label="Loading nodes…" />;
  if (nodes.isError)
    return <ErrorState title="Could not load the nodes." error={nodes.error} onRetry={() => void nodes.refetch()} />;
  if (nodes.data.length === 0)
    return (
      <EmptyState icon={HardDrive} title="No nodes yet">
        {mayManage
          ? "Add a node, then put its config.yml on a machine running Wings."
          : "An owner or admin can add a machine running Wings."}
      </EmptyState>
    );
  return <DataTable label="Nodes" columns={columns(org)} rows={nodes.data} rowKey={(n) => n.id} />;
}
