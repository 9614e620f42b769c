import { Tag } from "lucide-react";

import type { Role } from "@/api/generated/Role";
import { ConfirmIconButton } from "@/components/confirm-dialog";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useReleaseName, useTunnelNames } from "@/features/tunnels/api/tunnel-names";
import { can } from "@/lib/authorization";
import { formatDate } from "@/lib/format";

/** Names kept for one member each, with releasing for those who may. */
export function ReservedNamesTable({ org, role }: { org: string; role: Role | undefined }) {
  const names = useTunnelNames(org);
  const release = useReleaseName(org);
  const mayWrite = can(role, "tunnels", "write");

  if (names.isPending) return <ListSkeleton label="Loading reserved names…" />;
  if (names.isError)
    return (
      <ErrorState title="Could not load the reserved names." error={names.error} onRetry={() => void names.refetch()} />
    );
  if (names.data.length === 0)
    return (
      <EmptyState icon={Tag} title="No reserved names">
        Any member may open a tunnel under any free name. Reserve a name to keep it for one member.
      </EmptyState>
    );

  return (
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>Name</TableHead>
          <TableHead>For</TableHead>
          <TableHead className="hidden sm:table-cell">Reserved</TableHead>
          {mayWrite ? (
            <TableHead>
              <span className="sr-only">Actions</span>
            </TableHead>
          ) : null}
        </TableRow>
      </TableHeader>
      <TableBody>
        {names.data.map((reserved) => (
          <TableRow key={reserved.name}>
            <TableCell className="font-mono font-medium">{reserved.name}</TableCell>
            <TableCell>
              <div>{reserved.user.name}</div>
              <div className="text-xs text-muted-foreground">{reserved.user.email}</div>
            </TableCell>
            <TableCell className="hidden text-muted-foreground sm:table-cell">{formatDate(reserved.created_at)}</TableCell>
            {mayWrite ? (
              <TableCell className="text-right">
                <ConfirmIconButton
                  title={`Release ${reserved.name}?`}
                  description={`${reserved.user.name} keeps any tunnel open under it now, but afterwards anyone in the organization may take the name.`}
                  confirmLabel="Release name"
                  onConfirm={() => {
                    release.mutate(reserved);
                  }}
                  label={`Release ${reserved.name}`}
                  disabled={release.isPending && release.variables.name === reserved.name}
                />
              </TableCell>
            ) : null}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
