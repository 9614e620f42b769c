import { Archive, Download, Lock, LockOpen, RotateCcw } from "lucide-react";
import { useId, useState, type SyntheticEvent } from "react";

import { ConfirmDialog, ConfirmIconButton } from "@/components/confirm-dialog";
import { DataTable, type DataColumn } from "@/components/data-table";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import type { ServerTabProps } from "@/features/game-servers/server-tabs";
import { wingsErrorMessage } from "@/features/game-servers/lib/wings-errors";
import { Field } from "@/features/new-server/components/field";
import {
  isBusy,
  useBackups,
  useCreateBackup,
  useDeleteBackup,
  useDownloadBackup,
  useLockBackup,
  useRestoreBackup,
  type BackupRow,
} from "@/features/server-backups/api/backups";
import { formatBytes, formatDateTime } from "@/lib/format";

const STATUS: Record<string, string> = {
  pending: "In progress",
  completed: "Completed",
  failed: "Failed",
  restoring: "Restoring",
};

function StatusCell({ backup }: { backup: BackupRow }) {
  return (
    <span className="grid gap-1">
      <span className="flex items-center gap-1">
        <Badge variant={backup.status === "failed" ? "destructive" : "secondary"}>
          {STATUS[backup.status] ?? backup.status}
        </Badge>
        {backup.is_locked ? (
          <Badge variant="outline">
            <Lock aria-hidden="true" />
            Locked
          </Badge>
        ) : null}
      </span>
      {backup.error ? <span className="text-xs text-muted-foreground">{backup.error}</span> : null}
    </span>
  );
}

const COLUMNS: readonly DataColumn<BackupRow>[] = [
  {
    id: "name",
    header: "Name",
    cell: (b) => (
      <>
        <div className="font-medium">{b.name}</div>
        <time dateTime={b.created_at} className="text-xs font-normal text-muted-foreground">
          {formatDateTime(b.created_at)}
        </time>
      </>
    ),
  },
  { id: "status", header: "Status", cell: (b) => <StatusCell backup={b} /> },
  { id: "size", header: "Size", align: "right", cell: (b) => (b.status === "completed" ? formatBytes(b.size_bytes) : "—") },
];

function CreateBackup({ org, server, full }: { org: string; server: string; full: boolean }) {
  const id = useId();
  const create = useCreateBackup(org, server);
  const [name, setName] = useState("");
  const [ignored, setIgnored] = useState("");
  const [problems, setProblems] = useState<Record<string, string>>({});

  function onSubmit(event: SyntheticEvent) {
    event.preventDefault();
    create.mutate(
      { ...(name.trim() ? { name: name.trim() } : {}), ...(ignored.trim() ? { ignored } : {}) },
      {
        onSuccess: () => {
          setName("");
          setIgnored("");
          setProblems({});
        },
        onError: (error) => {
          setProblems({ root: wingsErrorMessage(error) });
        },
      },
    );
  }

  return (
    <form noValidate onSubmit={onSubmit} aria-labelledby={`${id}-title`} className="grid gap-4 rounded-lg border p-4">
      <h3 id={`${id}-title`} className="font-medium">
        Take a backup
      </h3>
      {problems.root ? (
        <p role="alert" className="text-sm text-red-700 dark:text-destructive">
          {problems.root}
        </p>
      ) : null}
      <Field label="Name (optional)" hint="A date and time when left empty.">
        {(control) => (
          <Input
            {...control}
            value={name}
            onChange={(e) => {
              setName(e.target.value);
            }}
          />
        )}
      </Field>
      <Field label="Files to leave out (optional)" hint="One path or pattern per line, as in .gitignore.">
        {(control) => (
          <Textarea
            {...control}
            value={ignored}
            className="font-mono text-xs"
            placeholder={"logs/\n*.tmp"}
            onChange={(e) => {
              setIgnored(e.target.value);
            }}
          />
        )}
      </Field>
      <div>
        <Button type="submit" disabled={create.isPending || full}>
          {create.isPending ? "Starting…" : "Take backup"}
        </Button>
      </div>
    </form>
  );
}

function RestoreButton({ org, server, backup }: { org: string; server: string; backup: BackupRow }) {
  const restore = useRestoreBackup(org, server);
  const [truncate, setTruncate] = useState(false);
  return (
    <ConfirmDialog
      trigger={
        <Button
          variant="ghost"
          size="icon"
          aria-label={`Restore ${backup.name}`}
          disabled={restore.isPending || backup.status !== "completed"}
        >
          <RotateCcw aria-hidden="true" />
        </Button>
      }
      title={`Restore ${backup.name}?`}
      description={
        <>
          The server is stopped and its files are replaced by the backup&apos;s.
          <label className="mt-3 flex items-center gap-2 text-foreground">
            <input
              type="checkbox"
              className="size-4 accent-primary"
              checked={truncate}
              onChange={(e) => {
                setTruncate(e.target.checked);
              }}
            />
            Delete every file first
          </label>
        </>
      }
      confirmLabel="Restore"
      onConfirm={() => {
        restore.mutate({ backup, truncate });
      }}
    />
  );
}

/** The Backups tab: take one (name, files left out), see it complete live, lock, restore, download, delete; the limit shown. */
export function BackupsTab({ org, detail, can }: ServerTabProps) {
  const server = detail.server.id;
  const backups = useBackups(org, server);
  const lock = useLockBackup(org, server);
  const remove = useDeleteBackup(org, server);
  const download = useDownloadBackup(org, server);
  const limit = backups.data?.backup_limit ?? 0;
  const full = backups.data ? backups.data.counted >= limit : false;

  return (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          Backups
        </CardTitle>
        <CardDescription aria-live="polite">
          {backups.data
            ? limit === 0
              ? "This server may not keep backups (its limit is 0)."
              : `${String(backups.data.counted)} of ${String(limit)} backups used.${full ? " Delete one to take another." : ""}`
            : "Copies of the server's files."}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {can("backup.create") ? <CreateBackup org={org} server={server} full={full} /> : null}
        {backups.isPending ? (
          <ListSkeleton label="Loading backups…" />
        ) : backups.isError ? (
          <ErrorState title="Could not load the backups." error={backups.error} onRetry={() => void backups.refetch()} />
        ) : backups.data.items.length === 0 ? (
          <EmptyState icon={Archive} title="No backups yet">
            {can("backup.create") ? "Take one above." : "Nobody has taken one yet."}
          </EmptyState>
        ) : (
          <DataTable
            label="Backups"
            columns={COLUMNS}
            rows={backups.data.items}
            rowKey={(b) => b.id}
            caption={backups.data.items.some(isBusy) ? "Updating while a backup is in progress…" : undefined}
            actions={(b) => (
              <>
                {can("backup.download") && b.status === "completed" ? (
                  <Button
                    variant="ghost"
                    size="icon"
                    aria-label={`Download ${b.name}`}
                    disabled={download.isPending}
                    onClick={() => {
                      download.mutate(b);
                    }}
                  >
                    <Download aria-hidden="true" />
                  </Button>
                ) : null}
                {can("backup.restore") ? <RestoreButton org={org} server={server} backup={b} /> : null}
                {can("backup.delete") ? (
                  <>
                    <Button
                      variant="ghost"
                      size="icon"
                      aria-label={b.is_locked ? `Unlock ${b.name}` : `Lock ${b.name}`}
                      disabled={lock.isPending}
                      onClick={() => {
                        lock.mutate(b);
                      }}
                    >
                      {b.is_locked ? <LockOpen aria-hidden="true" /> : <Lock aria-hidden="true" />}
                    </Button>
                    <ConfirmIconButton
                      title={`Delete ${b.name}?`}
                      description="The backup's archive is deleted for good."
                      confirmLabel="Delete backup"
                      label={`Delete ${b.name}`}
                      disabled={b.is_locked || (remove.isPending && remove.variables.id === b.id)}
                      onConfirm={() => {
                        remove.mutate(b);
                      }}
                    />
                  </>
                ) : null}
              </>
            )}
          />
        )}
      </CardContent>
    </Card>
  );
}
