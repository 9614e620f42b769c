import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { Gamepad2 } from "lucide-react";

import type { SharedServer } from "@/api/generated/SharedServer";
import { DataTable, type DataColumn } from "@/components/data-table";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { StatusBadge } from "@/features/game-servers/components/status-badge";
import { serverStatus } from "@/features/game-servers/lib/server-status";
import { getSharedServersQueryOptions } from "@/features/shared-servers/api/shared-servers";

const COLUMNS: DataColumn<SharedServer>[] = [
  {
    id: "name",
    header: "Server",
    cell: (s) => (
      <Link
        to="/o/$org/game-servers/$server"
        params={{ org: s.org, server: s.id }}
        className="font-medium underline-offset-4 hover:underline"
      >
        {s.name}
      </Link>
    ),
  },
  { id: "org", header: "Organization", cell: (s) => s.org_name },
  { id: "node", header: "Node", cell: (s) => s.node_name },
  { id: "status", header: "Status", cell: (s) => <StatusBadge status={serverStatus(s.status, s.container_state, undefined)} /> },
  { id: "access", header: "Access", cell: (s) => (s.owner ? "Owner" : `Subuser · ${String(s.permissions.length)} permissions`) },
];

/** The game servers the signed-in user owns or was made a subuser of, each linking to its page. */
export function SharedServerList() {
  const servers = useQuery(getSharedServersQueryOptions());
  if (servers.isPending) return <ListSkeleton label="Loading your servers" rows={3} />;
  if (servers.isError)
    return <ErrorState title="Could not load your servers" error={servers.error} onRetry={() => void servers.refetch()} />;
  if (servers.data.length === 0)
    return (
      <EmptyState icon={Gamepad2} title="No servers yet">
        When someone makes you a subuser of a game server, it shows here.
      </EmptyState>
    );
  return <DataTable label="Your servers" columns={COLUMNS} rows={servers.data} rowKey={(s) => s.id} />;
}
