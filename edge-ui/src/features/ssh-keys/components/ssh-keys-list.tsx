import { KeySquare } from "lucide-react";

import type { SshKey } from "@/api/generated/SshKey";
import { ConfirmIconButton } from "@/components/confirm-dialog";
import { DataTable, type DataColumn } from "@/components/data-table";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Badge } from "@/components/ui/badge";
import { useDeleteSshKey, useSshKeys } from "@/features/ssh-keys/api/ssh-keys";
import { formatDate, formatDateTime } from "@/lib/format";

const SSH_KEY_COLUMNS: readonly DataColumn<SshKey>[] = [
  { id: "name", header: "Name", className: "font-medium", cell: (key) => key.name },
  {
    id: "type",
    header: "Type",
    cell: (key) => (
      <Badge variant="outline" className="font-mono">
        {key.algorithm}
      </Badge>
    ),
  },
  {
    id: "fingerprint",
    header: "Fingerprint",
    className: "max-w-72 truncate font-mono text-xs text-muted-foreground",
    stackedClassName: "break-all font-mono text-xs",
    cell: (key) => <span title={key.fingerprint}>{key.fingerprint}</span>,
  },
  {
    id: "added",
    header: "Added",
    className: "text-muted-foreground",
    cell: (key) => (
      <time dateTime={key.created_at} title={formatDateTime(key.created_at)}>
        {formatDate(key.created_at)}
      </time>
    ),
  },
];

/** The user's SSH keys, each removable. */
export function SshKeysList() {
  const keys = useSshKeys();
  const remove = useDeleteSshKey();

  if (keys.isPending) return <ListSkeleton label="Loading SSH keys…" />;
  if (keys.isError)
    return <ErrorState title="Could not load your SSH keys." error={keys.error} onRetry={() => void keys.refetch()} />;
  if (keys.data.length === 0)
    return (
      <EmptyState icon={KeySquare} title="No SSH keys">
        Add a public key here, or connect with ssh and approve the key when the tunnel host asks.
      </EmptyState>
    );

  return (
    <DataTable
      label="SSH keys"
      columns={SSH_KEY_COLUMNS}
      rows={keys.data}
      rowKey={(key) => key.id}
      actions={(key) => (
        <ConfirmIconButton
          title={`Remove ${key.name}?`}
          description="This key can no longer open tunnels. Tunnels it opened keep running until they close."
          confirmLabel="Remove key"
          onConfirm={() => {
            remove.mutate(key);
          }}
          label={`Remove ${key.name}`}
          disabled={remove.isPending && remove.variables.id === key.id}
        />
      )}
    />
  );
}
