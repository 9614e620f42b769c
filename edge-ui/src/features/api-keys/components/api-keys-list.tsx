import { KeyRound } from "lucide-react";

import type { ApiKey } from "@/api/generated/ApiKey";
import { ConfirmIconButton } from "@/components/confirm-dialog";
import { DataTable, type DataColumn } from "@/components/data-table";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { useApiKeys, useRevokeApiKey } from "@/features/api-keys/api/api-keys";
import { formatDate, formatDateTime, formatRelative } from "@/lib/format";

const API_KEY_COLUMNS: readonly DataColumn<ApiKey>[] = [
  { id: "name", header: "Name", className: "font-medium", cell: (key) => key.name },
  { id: "key", header: "Key", cell: (key) => <code className="font-mono text-xs">{key.prefix}…</code> },
  {
    id: "allowed-from",
    header: "Allowed from",
    hideBelow: "3xl",
    className: "max-w-48 truncate text-muted-foreground",
    cell: (key) => (key.allowed_ips.length > 0 ? key.allowed_ips.join(", ") : "Anywhere"),
  },
  { id: "created", header: "Created", className: "text-muted-foreground", cell: (key) => formatDate(key.created_at) },
  {
    id: "last-used",
    header: "Last used",
    className: "text-muted-foreground",
    cell: (key) =>
      key.last_used_at ? (
        <time dateTime={key.last_used_at} title={formatDateTime(key.last_used_at)}>
          {formatRelative(key.last_used_at)}
        </time>
      ) : (
        "Never"
      ),
  },
];

/** The user's API keys, each revocable. */
export function ApiKeysList() {
  const keys = useApiKeys();
  const revoke = useRevokeApiKey();

  if (keys.isPending) return <ListSkeleton label="Loading API keys…" />;
  if (keys.isError)
    return <ErrorState title="Could not load your API keys." error={keys.error} onRetry={() => void keys.refetch()} />;
  if (keys.data.length === 0)
    return (
      <EmptyState icon={KeyRound} title="No API keys">
        Create one to use the Flamingo API from scripts.
      </EmptyState>
    );

  return (
    <DataTable
      label="API keys"
      columns={API_KEY_COLUMNS}
      rows={keys.data}
      rowKey={(key) => key.id}
      actions={(key) => (
        <ConfirmIconButton
          title={`Revoke ${key.name}?`}
          description="Scripts using this key stop working at once. This cannot be undone."
          confirmLabel="Revoke key"
          onConfirm={() => {
            revoke.mutate(key);
          }}
          label={`Revoke ${key.name}`}
          disabled={revoke.isPending}
        />
      )}
    />
  );
}
