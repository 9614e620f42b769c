import type { NewServer } from "@/api/generated/NewServer";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { gameServerKeys } from "@/features/game-servers/api/servers";
import { wingsErrorMessage } from "@/features/game-servers/lib/wings-errors";
import { nodeKeys } from "@/features/nodes/api/nodes";
import { allocationSchema, nodeSchema, nodeSystemSchema } from "@/features/nodes/schemas/node";
import { api } from "@/lib/api-client";
import { notifySuccess } from "@/lib/notify";
import { orgScope } from "@/lib/query-keys";

type NewServerBody = NewServer;

/** What the wizard needs of the create answer (`{server, allocations, permissions}`): where to go next. */
const createdSchema = z.object({ server: z.object({ id: z.string(), name: z.string() }).loose() }).loose();

/**
 * Asked again just before the server is created: the node still takes new
 * servers and answers, and the chosen allocation (or any, for an automatic
 * pick) is still free. Resolves with the reasons it cannot be created now.
 */
export async function checkAvailability(org: string, body: NewServerBody): Promise<string[]> {
  const nodeUrl = `/api/orgs/${encodeURIComponent(org)}/nodes/${encodeURIComponent(body.node_id)}`;
  const problems: string[] = [];
  const [node, system, allocations] = await Promise.allSettled([
    api.get(nodeUrl, nodeSchema),
    api.get(`${nodeUrl}/system`, nodeSystemSchema),
    api.get(`${nodeUrl}/allocations`, z.array(allocationSchema)),
  ]);
  if (node.status === "rejected") problems.push(`The node cannot be read: ${wingsErrorMessage(node.reason)}`);
  else if (node.value.maintenance) problems.push(`${node.value.name} is in maintenance mode and takes no new servers.`);
  if (system.status === "rejected") problems.push(wingsErrorMessage(system.reason));
  if (allocations.status === "fulfilled") {
    const free = allocations.value.filter((a) => !a.server_id);
    if (body.allocation_id) {
      const chosen = allocations.value.find((a) => a.id === body.allocation_id);
      if (!chosen) problems.push("The chosen allocation is not on this node any more.");
      else if (chosen.server_id)
        problems.push(`${chosen.ip}:${String(chosen.port)} was just taken by ${chosen.server_name ?? "another server"}.`);
    } else if (free.length === 0) problems.push("The node has no free allocation left: add ports on its page.");
  } else problems.push(`The allocations cannot be read: ${wingsErrorMessage(allocations.reason)}`);
  return problems;
}

/** `POST /api/orgs/{org}/servers` (Wings is asked to create it before the answer). Errors are the wizard's to show. */
export function useCreateServer(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewServerBody) =>
      api.post(`/api/orgs/${encodeURIComponent(org)}/servers`, body, createdSchema),
    onSuccess: (detail) => {
      notifySuccess(`Created ${detail.server.name}`, "Wings is installing it now.");
    },
    onSettled: async (_, __, body) => {
      await queryClient.invalidateQueries({ queryKey: gameServerKeys.all(org) });
      await queryClient.invalidateQueries({ queryKey: nodeKeys.one(org, body.node_id) });
      await queryClient.invalidateQueries({ queryKey: [...orgScope(org), "nodes"], exact: true });
    },
  });
}
