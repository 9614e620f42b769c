import { Link } from "@tanstack/react-router";
import { Cable, Unplug } from "lucide-react";

import type { Role } from "@/api/generated/Role";
import type { Tunnel } from "@/api/generated/Tunnel";
import { ConfirmIconButton } from "@/components/confirm-dialog";
import { DataTable, type DataColumn } from "@/components/data-table";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Badge } from "@/components/ui/badge";
import { useKickTunnel, useTunnels } from "@/features/tunnels/api/tunnels";
import { OnlineDot } from "@/features/tunnels/components/host-status";
import { TunnelUrl } from "@/features/tunnels/components/tunnel-url";
import { can } from "@/lib/authorization";
import { formatBytes, formatCount, formatDateTime, formatRelative } from "@/lib/format";

function ownerLabel(tunnel: Tunnel): string {
  return tunnel.user.name ?? tunnel.user.email ?? tunnel.user.id;
}

/**
 * What the open-tunnels table shows of each tunnel, most important first (the
 * first column titles each row on phones). Add a column here to show more.
 */
const TUNNEL_COLUMNS: readonly DataColumn<Tunnel>[] = [
  {
    id: "name",
    header: "Name",
    className: "max-w-80",
    cell: (tunnel) => (
      <>
        <div className="font-medium">{tunnel.name}</div>
        <TunnelUrl tunnel={tunnel} />
      </>
    ),
  },
  {
    id: "kind",
    header: "Kind",
    cell: (tunnel) => (
      <Badge variant="outline" className="uppercase">
        {tunnel.kind}
      </Badge>
    ),
  },
  {
    id: "owner",
    header: "Owner",
    hideBelow: "4xl",
    cell: (tunnel) => (
      <>
        <div>{ownerLabel(tunnel)}</div>
        {tunnel.user.name && tunnel.user.email ? (
          <div className="text-xs text-muted-foreground">{tunnel.user.email}</div>
        ) : null}
      </>
    ),
  },
  {
    id: "host",
    header: "Host",
    cell: (tunnel) => (
      <span className="inline-flex items-center gap-2">
        <OnlineDot online={tunnel.host.online} />
        {tunnel.host.name}
        <span className="sr-only">{tunnel.host.online ? "(online)" : "(offline)"}</span>
      </span>
    ),
  },
  {
    id: "client",
    header: "Client",
    hideBelow: "5xl",
    className: "font-mono text-xs text-muted-foreground",
    cell: (tunnel) => tunnel.client_addr,
  },
  {
    id: "opened",
    header: "Opened",
    className: "text-muted-foreground",
    cell: (tunnel) => (
      <time dateTime={tunnel.opened_at} title={formatDateTime(tunnel.opened_at)}>
        {formatRelative(tunnel.opened_at)}
      </time>
    ),
  },
  {
    id: "requests",
    header: "Requests",
    align: "right",
    // The live counter people watch: shown beside the sidebar at 1280 px too.
    hideBelow: "4xl",
    cell: (tunnel) => (tunnel.kind === "http" ? formatCount(tunnel.requests) : "—"),
  },
  {
    id: "traffic",
    header: "In / out",
    align: "right",
    hideBelow: "3xl",
    className: "text-muted-foreground",
    cell: (tunnel) => `${formatBytes(tunnel.bytes_in)} / ${formatBytes(tunnel.bytes_out)}`,
  },
];

/** The organization's open tunnels, live, with kicking for those who may. */
export function TunnelsTable({ org, role }: { org: string; role: Role | undefined }) {
  const tunnels = useTunnels(org);
  const kick = useKickTunnel(org);
  const mayKick = can(role, "tunnels", "write");

  if (tunnels.isPending) return <ListSkeleton label="Loading tunnels…" />;
  if (tunnels.isError)
    return <ErrorState title="Could not load the tunnels." error={tunnels.error} onRetry={() => void tunnels.refetch()} />;
  if (tunnels.data.length === 0)
    return (
      <EmptyState icon={Cable} title="No open tunnels">
        <p>
          Expose a local port to the internet from any machine with your SSH key: copy a command from “Open a
          tunnel”.
        </p>
        <p className="mt-3">
          Add your key under{" "}
          <Link
            to="/o/$org/settings/ssh-keys"
            params={{ org }}
            className="font-medium text-foreground underline underline-offset-4"
          >
            Settings → SSH keys
          </Link>
          , or approve it the first time you connect.
        </p>
      </EmptyState>
    );

  return (
    <DataTable
      label="Open tunnels"
      columns={TUNNEL_COLUMNS}
      rows={tunnels.data}
      rowKey={(tunnel) => `${tunnel.host.id}/${tunnel.id}`}
      actions={
        mayKick
          ? (tunnel) => (
              <ConfirmIconButton
                title={`Kick ${tunnel.name}?`}
                description={`${ownerLabel(tunnel)}'s tunnel ${tunnel.public_url} stops at once and visitors get an error. They can open it again with ssh.`}
                confirmLabel="Kick tunnel"
                onConfirm={() => {
                  kick.mutate(tunnel);
                }}
                label={`Kick ${tunnel.name}`}
                disabled={kick.isPending && kick.variables.id === tunnel.id}
                icon={<Unplug aria-hidden="true" />}
              />
            )
          : undefined
      }
    />
  );
}
