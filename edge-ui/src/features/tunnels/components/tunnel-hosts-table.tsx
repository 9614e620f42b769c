import { Server } from "lucide-react";

import type { Role } from "@/api/generated/Role";
import { ConfirmIconButton } from "@/components/confirm-dialog";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
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
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>Name</TableHead>
          <TableHead>Status</TableHead>
          <TableHead>Last seen</TableHead>
          <TableHead className="hidden sm:table-cell">Enrolled</TableHead>
          {mayWrite ? (
            <TableHead>
              <span className="sr-only">Actions</span>
            </TableHead>
          ) : null}
        </TableRow>
      </TableHeader>
      <TableBody>
        {hosts.data.map((host) => (
          <TableRow key={host.id}>
            <TableCell>
              <div className="font-medium">{host.name}</div>
              {host.ssh_host && host.ssh_port ? (
                <div className="font-mono text-xs text-muted-foreground">
                  <span className="sr-only">SSH address </span>
                  {host.ssh_host}:{host.ssh_port}
                </div>
              ) : null}
            </TableCell>
            <TableCell>
              <HostStatusBadge status={host.status} />
            </TableCell>
            <TableCell className="text-muted-foreground">
              <When iso={host.last_seen_at} relative />
            </TableCell>
            <TableCell className="hidden text-muted-foreground sm:table-cell">
              <When iso={host.enrolled_at} />
            </TableCell>
            {mayWrite ? (
              <TableCell className="text-right">
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
              </TableCell>
            ) : null}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
