import { Server } from "lucide-react";

import type { Role } from "@/api/generated/Role";
import type { TunnelHost } from "@/api/generated/TunnelHost";
import { ConfirmIconButton } from "@/components/confirm-dialog";
import { DataTable, type DataColumn } from "@/components/data-table";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { useDeleteTunnelHost, useTunnelHosts } from "@/features/tunnels/api/tunnel-hosts";
import { HostStatusBadge } from "@/features/tunnels/components/host-status";
import { can } from "@/lib/authorization";
import { formatDate, formatDateTime, formatRelative } from "@/lib/format";

function When({ iso, relative = false }: { iso: string | null; relative?: boolean }) {
  if (!iso) return <span className="text-muted-foreground">Never</span>;
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {relative ? formatRelative(iso) : formatDate(iso)}
    </time>
  );
}

/** What the hosts table shows of each tunnel host; the first column titles each row on phones. */
const HOST_COLUMNS: readonly DataColumn<TunnelHost>[] = [
  {
    id: "name",
    header: "Name",
    cell: (host) => (
      <>
        <div className="font-medium">{host.name}</div>
        {host.ssh_host && host.ssh_port ? (
          <div className="font-mono text-xs font-normal text-muted-foreground">
            <span className="sr-only">SSH address </span>
            {host.ssh_host}:{host.ssh_port}
          </div>
        ) : null}
      </>
    ),
  },
  { id: "status", header: "Status", cell: (host) => <HostStatusBadge status={host.status} /> },
  {
    id: "last-seen",
    header: "Last seen",
    className: "text-muted-foreground",
    cell: (host) => <When iso={host.last_seen_at} relative />,
  },
  { id: "enrolled", header: "Enrolled", className: "text-muted-foreground", cell: (host) => <When iso={host.enrolled_at} /> },
];

/** The organization's tunnel hosts and whether they are connected, with removal for those who may. */
export function TunnelHostsTable({ org, role }: { org: string; role: Role | undefined }) {
  const hosts = useTunnelHosts(org);
  const remove = useDeleteTunnelHost(org);
  const mayWrite = can(role, "vps", "write");

  if (hosts.isPending) return <ListSkeleton label="Loading tunnel hosts…" />;
  if (hosts.isError)
    return <ErrorState title="Could not load the tunnel hosts." error={hosts.error} onRetry={() => void hosts.refetch()} />;
  if (hosts.data.length === 0)
    return (
      <EmptyState icon={Server} title="No tunnel hosts">
        {mayWrite
          ? "Add one, then run the enrollment command on a VPS with a public address."
          : "An owner or admin can add a VPS that serves tunnels."}
      </EmptyState>
    );

  return (
    <DataTable
      label="Tunnel hosts"
      columns={HOST_COLUMNS}
      rows={hosts.data}
      rowKey={(host) => host.id}
      actions={
        mayWrite
          ? (host) => (
              <ConfirmIconButton
                title={`Remove ${host.name}?`}
                description="The host can no longer reach the edge: its tunnels stop being listed and new SSH sessions are refused. To use the machine again, add it anew and enroll it."
                confirmLabel="Remove host"
                onConfirm={() => {
                  remove.mutate(host);
                }}
                label={`Remove ${host.name}`}
                disabled={remove.isPending && remove.variables.id === host.id}
              />
            )
          : undefined
      }
    />
  );
}
