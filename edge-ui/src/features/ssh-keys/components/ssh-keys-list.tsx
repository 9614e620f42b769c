import { KeySquare } from "lucide-react";

import { ConfirmIconButton } from "@/components/confirm-dialog";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useDeleteSshKey, useSshKeys } from "@/features/ssh-keys/api/ssh-keys";
import { formatDate, formatDateTime } from "@/lib/format";

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
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>Name</TableHead>
          <TableHead className="hidden sm:table-cell">Type</TableHead>
          <TableHead>Fingerprint</TableHead>
          <TableHead className="hidden md:table-cell">Added</TableHead>
          <TableHead>
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {keys.data.map((key) => (
          <TableRow key={key.id}>
            <TableCell className="font-medium">{key.name}</TableCell>
            <TableCell className="hidden sm:table-cell">
              <Badge variant="outline" className="font-mono">
                {key.algorithm}
              </Badge>
            </TableCell>
            <TableCell className="max-w-40 truncate font-mono text-xs text-muted-foreground sm:max-w-none" title={key.fingerprint}>
              {key.fingerprint}
            </TableCell>
            <TableCell className="hidden text-muted-foreground md:table-cell">
              <time dateTime={key.created_at} title={formatDateTime(key.created_at)}>
                {formatDate(key.created_at)}
              </time>
            </TableCell>
            <TableCell className="text-right">
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
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
