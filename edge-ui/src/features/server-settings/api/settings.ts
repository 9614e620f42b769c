import { useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { gameServerKeys, serverPath } from "@/features/game-servers/api/servers";
import { wingsErrorMessage } from "@/features/game-servers/lib/wings-errors";
import { gameServerSchema } from "@/features/game-servers/schemas/server";
import { api } from "@/lib/api-client";
import { notifyError, notifySuccess } from "@/lib/notify";

function useRefresh(org: string) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: gameServerKeys.all(org) });
}

/** `PATCH …/servers/{server}` with a name and/or description. Errors are the form's to show. */
export function useRenameServer(org: string, server: string) {
  const refresh = useRefresh(org);
  return useMutation({
    mutationFn: (body: { name?: string; description?: string }) => api.patch(serverPath(org, server), body, z.unknown()),
    onSuccess: () => {
      notifySuccess("Saved the server's name and description");
    },
    onSettled: refresh,
  });
}

/** `POST …/reinstall`: the egg's install script runs again. */
export function useReinstall(org: string, server: string) {
  const refresh = useRefresh(org);
  return useMutation({
    mutationFn: () => api.post(serverPath(org, server, "/reinstall"), undefined, z.unknown()),
    onSuccess: () => {
      notifySuccess("Reinstalling", "The install script is running again; the console shows it.");
    },
    onError: (error) => {
      notifyError("Could not reinstall the server", new Error(wingsErrorMessage(error)));
    },
    onSettled: refresh,
  });
}

/** `POST …/suspend` or `…/unsuspend`. */
export function useSuspend(org: string, server: string) {
  const refresh = useRefresh(org);
  return useMutation({
    mutationFn: (suspend: boolean) =>
      api.post(serverPath(org, server, suspend ? "/suspend" : "/unsuspend"), undefined, gameServerSchema.or(z.unknown())),
    onSuccess: (_, suspend) => {
      notifySuccess(suspend ? "Suspended" : "Unsuspended", suspend ? "Its consoles are closed and it cannot be started." : undefined);
    },
    onError: (error, suspend) => {
      notifyError(`Could not ${suspend ? "suspend" : "unsuspend"} the server`, new Error(wingsErrorMessage(error)));
    },
    onSettled: refresh,
  });
}

export type BuildLimits = { memory: number; swap: number; disk: number; io: number; cpu: number; threads?: string; oom_killer?: boolean };

/** `PUT …/build`: new limits, undone if Wings does not take them. Errors are the form's to show. */
export function useSetBuild(org: string, server: string) {
  const refresh = useRefresh(org);
  return useMutation({
    mutationFn: (limits: BuildLimits) => api.put(serverPath(org, server, "/build"), limits, z.unknown()),
    onSuccess: () => {
      notifySuccess("Saved the build limits");
    },
    onSettled: refresh,
  });
}
