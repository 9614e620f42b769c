import { Tag } from "lucide-react";

import type { Role } from "@/api/generated/Role";
import type { ReservedName } from "@/api/generated/ReservedName";
import { ConfirmIconButton } from "@/components/confirm-dialog";
import { DataTable, type DataColumn } from "@/components/data-table";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { useReleaseName, useTunnelNames } from "@/features/tunnels/api/tunnel-names";
import { can } from "@/lib/authorization";
import { formatDate } from "@/lib/format";

const NAME_COLUMNS: readonly DataColumn<ReservedName>[] = [
  { id: "name", header: "Name", className: "font-mono font-medium", stackedClassName: "font-mono", cell: (reserved) => reserved.name },
  {
    id: "for",
    header: "For",
    cell: (reserved) => (
      <>
        <div>{reserved.user.name}</div>
        <div className="text-xs text-muted-foreground">{reserved.user.email}</div>
      </>
    ),
  },
  { id: "reserved", header: "Reserved", className: "text-muted-foreground", cell: (reserved) => formatDate(reserved.created_at) },
];

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
    <DataTable
      label="Reserved names"
      columns={NAME_COLUMNS}
      rows={names.data}
      rowKey={(reserved) => reserved.name}
      actions={
        mayWrite
          ? (reserved) => (
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
            )
          : undefined
      }
    />
  );
}
