import { Link } from "@tanstack/react-router";
import { Cable, Unplug } from "lucide-react";

import type { Role } from "@/api/generated/Role";
import type { Tunnel } from "@/api/generated/Tunnel";
import { ConfirmIconButton } from "@/components/confirm-dialog";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useKickTunnel, useTunnels } from "@/features/tunnels/api/tunnels";
import { OnlineDot } from "@/features/tunnels/components/host-status";
import { TunnelUrl } from "@/features/tunnels/components/tunnel-url";
import { can } from "@/lib/authorization";
import { formatBytes, formatCount, formatDateTime, formatRelative } from "@/lib/format";

function ownerLabel(tunnel: Tunnel): string {
  return tunnel.user.name ?? tunnel.user.email ?? tunnel.user.id;
}

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
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>Name</TableHead>
          <TableHead>Kind</TableHead>
          <TableHead className="hidden md:table-cell">Owner</TableHead>
          <TableHead>Host</TableHead>
          <TableHead className="hidden lg:table-cell">Client</TableHead>
          <TableHead className="hidden sm:table-cell">Opened</TableHead>
          <TableHead className="hidden text-right lg:table-cell">Requests</TableHead>
          <TableHead className="hidden text-right md:table-cell">In / out</TableHead>
          {mayKick ? (
            <TableHead>
              <span className="sr-only">Actions</span>
            </TableHead>
          ) : null}
        </TableRow>
      </TableHeader>
      <TableBody>
        {tunnels.data.map((tunnel) => (
          <TableRow key={`${tunnel.host.id}/${tunnel.id}`}>
            <TableCell className="max-w-80">
              <div className="font-medium">{tunnel.name}</div>
              <TunnelUrl tunnel={tunnel} />
            </TableCell>
            <TableCell>
              <Badge variant="outline" className="uppercase">
                {tunnel.kind}
              </Badge>
            </TableCell>
            <TableCell className="hidden md:table-cell">
              <div>{ownerLabel(tunnel)}</div>
              {tunnel.user.name && tunnel.user.email ? (
                <div className="text-xs text-muted-foreground">{tunnel.user.email}</div>
              ) : null}
            </TableCell>
            <TableCell>
              <span className="inline-flex items-center gap-2">
                <OnlineDot online={tunnel.host.online} />
                {tunnel.host.name}
                <span className="sr-only">{tunnel.host.online ? "(online)" : "(offline)"}</span>
              </span>
            </TableCell>
            <TableCell className="hidden font-mono text-xs text-muted-foreground lg:table-cell">
              {tunnel.client_addr}
            </TableCell>
            <TableCell className="hidden text-muted-foreground sm:table-cell">
              <time dateTime={tunnel.opened_at} title={formatDateTime(tunnel.opened_at)}>
                {formatRelative(tunnel.opened_at)}
              </time>
            </TableCell>
            <TableCell className="hidden text-right tabular-nums lg:table-cell">
              {tunnel.kind === "http" ? formatCount(tunnel.requests) : "—"}
            </TableCell>
            <TableCell className="hidden text-right whitespace-nowrap tabular-nums text-muted-foreground md:table-cell">
              {formatBytes(tunnel.bytes_in)} / {formatBytes(tunnel.bytes_out)}
            </TableCell>
            {mayKick ? (
              <TableCell className="text-right">
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
              </TableCell>
            ) : null}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
