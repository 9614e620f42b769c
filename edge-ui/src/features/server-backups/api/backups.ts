import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { gameServerKeys, serverPath } from "@/features/game-servers/api/servers";
import { wingsErrorMessage } from "@/features/game-servers/lib/wings-errors";
import { api } from "@/lib/api-client";
import { notifyError, notifySuccess } from "@/lib/notify";

export const backupSchema = z.object({
  id: z.string(),
  name: z.string(),
  ignored: z.string(),
  is_locked: z.boolean(),
  is_successful: z.boolean(),
  status: z.string(),
  error: z.string().nullable(),
  checksum: z.string().nullable(),
  checksum_type: z.string().nullable(),
  size_bytes: z.number(),
  adapter: z.string(),
  created_at: z.string(),
  completed_at: z.string().nullable(),
});
export type BackupRow = z.infer<typeof backupSchema>;

const listSchema = z.object({ items: z.array(backupSchema), counted: z.number(), backup_limit: z.number() });

const keys = (org: string, server: string) => [...gameServerKeys.detail(org, server), "backups"] as const;

/** Whether a backup is still moving (taken or restored now): the list is asked again until none is. */
export function isBusy(backup: BackupRow): boolean {
  return backup.status === "pending" || backup.status === "restoring";
}

export function useBackups(org: string, server: string) {
  return useQuery({
    queryKey: keys(org, server),
    queryFn: ({ signal }) => api.get(serverPath(org, server, "/backups"), listSchema, signal),
    refetchInterval: (query) => (query.state.data?.items.some(isBusy) ? 2000 : false),
  });
}

function useBackupMutation<V>(
  org: string,
  server: string,
  run: (v: V) => Promise<unknown>,
  done: (v: V) => [string, string?],
  failed: (v: V) => string,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: (_, v) => {
      notifySuccess(...done(v));
    },
    onError: (error, v) => {
      notifyError(failed(v), new Error(wingsErrorMessage(error)));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys(org, server) }),
  });
}

/** `POST …/backups`: Wings takes it in the background; the list shows it until it completes. */
export function useCreateBackup(org: string, server: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name?: string; ignored?: string }) => api.post(serverPath(org, server, "/backups"), body, backupSchema),
    onSuccess: (b) => {
      notifySuccess(`Taking ${b.name}`, "It shows as completed here when Wings is done.");
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys(org, server) }),
  });
}

export function useLockBackup(org: string, server: string) {
  return useBackupMutation(
    org,
    server,
    (b: BackupRow) => api.post(serverPath(org, server, `/backups/${b.id}/${b.is_locked ? "unlock" : "lock"}`), undefined, backupSchema),
    (b) => [b.is_locked ? `Unlocked ${b.name}` : `Locked ${b.name}`, b.is_locked ? undefined : "It cannot be deleted until unlocked."],
    (b) => `Could not ${b.is_locked ? "unlock" : "lock"} ${b.name}`,
  );
}

export function useRestoreBackup(org: string, server: string) {
  return useBackupMutation(
    org,
    server,
    ({ backup, truncate }: { backup: BackupRow; truncate: boolean }) =>
      api.post(serverPath(org, server, `/backups/${backup.id}/restore`), { truncate }, backupSchema),
    ({ backup }) => [`Restoring ${backup.name}`, "The server's files are being replaced; it cannot start meanwhile."],
    ({ backup }) => `Could not restore ${backup.name}`,
  );
}

export function useDeleteBackup(org: string, server: string) {
  return useBackupMutation(
    org,
    server,
    (b: BackupRow) => api.delete(serverPath(org, server, `/backups/${b.id}`), z.undefined()),
    (b) => [`Deleted ${b.name}`],
    (b) => `Could not delete ${b.name}`,
  );
}

/** `GET …/download`: a single-use URL, opened at once. */
export function useDownloadBackup(org: string, server: string) {
  return useBackupMutation(
    org,
    server,
    async (b: BackupRow) => {
      const { url } = await api.get(serverPath(org, server, `/backups/${b.id}/download`), z.object({ url: z.string() }));
      window.location.assign(url);
    },
    (b) => [`Downloading ${b.name}`],
    (b) => `Could not download ${b.name}`,
  );
}
