import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import type { Tunnel } from "@/api/generated/Tunnel";
import { tunnelSchema } from "@/features/tunnels/schemas/tunnel";
import { ApiError, api } from "@/lib/api-client";
import { notifyError, notifySuccess } from "@/lib/notify";
import { orgScope } from "@/lib/query-keys";

export const tunnelKeys = {
  all: (org: string) => [...orgScope(org), "tunnels"] as const,
};

export function getTunnelsQueryOptions(org: string) {
  return queryOptions({
    queryKey: tunnelKeys.all(org),
    queryFn: ({ signal }) => api.get(`/api/orgs/${encodeURIComponent(org)}/tunnels`, z.array(tunnelSchema), signal),
    // Live events refresh the list (`tunnel.stats` as counters move). Each
    // fetch tells the hosts someone watches for a minute, so this interval
    // keeps the counters live while the list is on screen.
    refetchInterval: 30_000,
  });
}

export function useTunnels(org: string) {
  return useQuery(getTunnelsQueryOptions(org));
}

/** `DELETE /api/orgs/{org}/tunnels/{id}`: the host closes the tunnel (a kick). */
export function useKickTunnel(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (tunnel: Tunnel) =>
      api.delete(`/api/orgs/${encodeURIComponent(org)}/tunnels/${encodeURIComponent(tunnel.id)}`, z.undefined()),
    onSuccess: (_, tunnel) => {
      notifySuccess(`Kicked ${tunnel.name}`);
    },
    onError: (error, tunnel) => {
      // Gone already is what was wanted.
      if (error instanceof ApiError && error.status === 404) notifySuccess(`${tunnel.name} had already closed`);
      else notifyError(`Could not kick ${tunnel.name}`, error);
    },
    // The tunnels and the audit log changed.
    onSettled: () => queryClient.invalidateQueries({ queryKey: orgScope(org) }),
  });
}
