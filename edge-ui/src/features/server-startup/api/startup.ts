import { useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { gameServerKeys, serverPath } from "@/features/game-servers/api/servers";
import { api } from "@/lib/api-client";
import { notifySuccess } from "@/lib/notify";

/** `PUT …/startup`: command (members), variables, image. Errors are the form's to show. */
export function useSaveStartup(org: string, server: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { startup?: string; environment: Record<string, string>; docker_image?: string }) =>
      api.put(serverPath(org, server, "/startup"), body, z.unknown()),
    onSuccess: () => {
      notifySuccess("Saved the startup settings", "They apply the next time the server starts.");
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: gameServerKeys.all(org) }),
  });
}
