import { KeyRound } from "lucide-react";

import { ConfirmIconButton } from "@/components/confirm-dialog";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useApiKeys, useRevokeApiKey } from "@/features/api-keys/api/api-keys";
import { formatDate, formatDateTime, formatRelative } from "@/lib/format";

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
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>Name</TableHead>
          <TableHead>Key</TableHead>
          <TableHead className="hidden md:table-cell">Allowed from</TableHead>
          <TableHead className="hidden sm:table-cell">Created</TableHead>
          <TableHead>Last used</TableHead>
          <TableHead>
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {keys.data.map((key) => (
          <TableRow key={key.id}>
            <TableCell className="font-medium">{key.name}</TableCell>
            <TableCell>
              <code className="font-mono text-xs">{key.prefix}…</code>
            </TableCell>
            <TableCell className="hidden max-w-48 truncate text-muted-foreground md:table-cell">
              {key.allowed_ips.length > 0 ? key.allowed_ips.join(", ") : "Anywhere"}
            </TableCell>
            <TableCell className="hidden text-muted-foreground sm:table-cell">{formatDate(key.created_at)}</TableCell>
            <TableCell className="text-muted-foreground">
              {key.last_used_at ? (
                <time dateTime={key.last_used_at} title={formatDateTime(key.last_used_at)}>
                  {formatRelative(key.last_used_at)}
                </time>
              ) : (
                "Never"
              )}
            </TableCell>
            <TableCell className="text-right">
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
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
