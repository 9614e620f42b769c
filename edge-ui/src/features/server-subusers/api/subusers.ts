import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { gameServerKeys, serverPath } from "@/features/game-servers/api/servers";
import { wingsErrorMessage } from "@/features/game-servers/lib/wings-errors";
import { api } from "@/lib/api-client";
import { notifyError, notifySuccess } from "@/lib/notify";

export const subuserSchema = z.object({
  id: z.string(),
  user_id: z.string().nullable(),
  name: z.string().nullable(),
  email: z.string(),
  pending: z.boolean(),
  permissions: z.array(z.string()),
  created_at: z.string(),
});
export type SubuserRow = z.infer<typeof subuserSchema>;

const removedSchema = z.object({ removed: z.boolean(), deauthorized: z.boolean(), message: z.string().nullable() });

const keys = (org: string, server: string) => [...gameServerKeys.detail(org, server), "subusers"] as const;

export function useSubusers(org: string, server: string) {
  return useQuery({
    queryKey: keys(org, server),
    queryFn: ({ signal }) => api.get(serverPath(org, server, "/subusers"), z.array(subuserSchema), signal),
  });
}

/** `POST …/subusers`; errors are the form's to show. */
export function useAddSubuser(org: string, server: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; permissions: string[] }) =>
      api.post(serverPath(org, server, "/subusers"), body, subuserSchema),
    onSuccess: (added) => {
      notifySuccess(`Added ${added.name ?? added.email}`);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys(org, server) }),
  });
}

/** `PATCH …/subusers/{user}`; errors are the form's to show. */
export function useUpdateSubuser(org: string, server: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, permissions }: { id: string; permissions: string[] }) =>
      api.patch(serverPath(org, server, `/subusers/${encodeURIComponent(id)}`), { permissions }, subuserSchema),
    onSuccess: (saved) => {
      notifySuccess(`Saved the permissions of ${saved.name ?? saved.email}`);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys(org, server) }),
  });
}

/** `DELETE …/subusers/{user}`: Wings also ends their sessions (said when it could not). */
export function useRemoveSubuser(org: string, server: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (subuser: SubuserRow) =>
      api.delete(serverPath(org, server, `/subusers/${encodeURIComponent(subuser.id)}`), removedSchema),
    onSuccess: (answer, subuser) => {
      notifySuccess(
        `Removed ${subuser.name ?? subuser.email}`,
        answer.deauthorized ? "Their console and SFTP sessions were ended." : (answer.message ?? undefined),
      );
    },
    onError: (error, subuser) => {
      notifyError(`Could not remove ${subuser.name ?? subuser.email}`, new Error(wingsErrorMessage(error)));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys(org, server) }),
  });
}
