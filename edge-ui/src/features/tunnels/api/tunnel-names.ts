import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import type { ReservedName } from "@/api/generated/ReservedName";
import {
  reservedNameSchema,
  toNewReservedName,
  type NewReservedNameValues,
} from "@/features/tunnels/schemas/tunnel";
import { api } from "@/lib/api-client";
import { notifyError, notifySuccess } from "@/lib/notify";
import { orgScope } from "@/lib/query-keys";

export const tunnelNameKeys = {
  all: (org: string) => [...orgScope(org), "tunnel-names"] as const,
};

export function getTunnelNamesQueryOptions(org: string) {
  return queryOptions({
    queryKey: tunnelNameKeys.all(org),
    queryFn: ({ signal }) =>
      api.get(`/api/orgs/${encodeURIComponent(org)}/tunnel-names`, z.array(reservedNameSchema), signal),
  });
}

export function useTunnelNames(org: string) {
  return useQuery(getTunnelNamesQueryOptions(org));
}

/** `POST /api/orgs/{org}/tunnel-names`: only that member may then bind the name. */
export function useReserveName(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (values: NewReservedNameValues) =>
      api.post(`/api/orgs/${encodeURIComponent(org)}/tunnel-names`, toNewReservedName(values), reservedNameSchema),
    onSuccess: (reserved) => {
      notifySuccess(`Reserved ${reserved.name} for ${reserved.user.name}`);
    },
    // Its form shows any failure, once (see lib/form-errors).
    onSettled: () => queryClient.invalidateQueries({ queryKey: orgScope(org) }),
  });
}

/** `DELETE /api/orgs/{org}/tunnel-names/{name}`: anyone may bind it again. */
export function useReleaseName(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (reserved: ReservedName) =>
      api.delete(
        `/api/orgs/${encodeURIComponent(org)}/tunnel-names/${encodeURIComponent(reserved.name)}`,
        z.undefined(),
      ),
    onSuccess: (_, reserved) => {
      notifySuccess(`Released ${reserved.name}`);
    },
    onError: (error, reserved) => {
      notifyError(`Could not release ${reserved.name}`, error);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: orgScope(org) }),
  });
}
