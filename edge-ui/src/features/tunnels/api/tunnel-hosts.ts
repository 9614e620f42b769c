import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import type { TunnelHost } from "@/api/generated/TunnelHost";
import {
  createdTunnelHostSchema,
  tunnelHostSchema,
  type NewTunnelHostValues,
} from "@/features/tunnels/schemas/tunnel";
import { api } from "@/lib/api-client";
import { notifyError, notifySuccess } from "@/lib/notify";
import { orgScope } from "@/lib/query-keys";

export const tunnelHostKeys = {
  all: (org: string) => [...orgScope(org), "tunnel-hosts"] as const,
};

export function getTunnelHostsQueryOptions(org: string) {
  return queryOptions({
    queryKey: tunnelHostKeys.all(org),
    queryFn: ({ signal }) =>
      api.get(`/api/orgs/${encodeURIComponent(org)}/tunnel-hosts`, z.array(tunnelHostSchema), signal),
    // Status is computed from `last_seen_at` when read; look again now and then.
    refetchInterval: 30_000,
  });
}

export function useTunnelHosts(org: string) {
  return useQuery(getTunnelHostsQueryOptions(org));
}

/** `POST /api/orgs/{org}/tunnel-hosts`; the answer holds the enrollment token, once. Errors are the form's to show. */
export function useCreateTunnelHost(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (values: NewTunnelHostValues) =>
      api.post(`/api/orgs/${encodeURIComponent(org)}/tunnel-hosts`, values, createdTunnelHostSchema),
    onSuccess: (created) => {
      notifySuccess(`Added ${created.host.name}`, "Copy the enrollment command now: it is shown only once.");
    },
    // Its form shows any failure, once (see lib/form-errors).
    onSettled: () => queryClient.invalidateQueries({ queryKey: orgScope(org) }),
  });
}

/** `DELETE /api/orgs/{org}/tunnel-hosts/{id}`: the host can no longer call the edge. */
export function useDeleteTunnelHost(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (host: TunnelHost) =>
      api.delete(`/api/orgs/${encodeURIComponent(org)}/tunnel-hosts/${encodeURIComponent(host.id)}`, z.undefined()),
    onSuccess: (_, host) => {
      notifySuccess(`Removed ${host.name}`);
    },
    onError: (error, host) => {
      notifyError(`Could not remove ${host.name}`, error);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: orgScope(org) }),
  });
}
