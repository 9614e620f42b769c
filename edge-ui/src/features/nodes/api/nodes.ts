import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import {
  allocationSchema,
  nodeConfigurationSchema,
  nodeSchema,
  nodeSystemSchema,
  type AllocationRow,
  type NewNodeValues,
  type NodeRow,
} from "@/features/nodes/schemas/node";
import { api } from "@/lib/api-client";
import { notifyError, notifySuccess } from "@/lib/notify";
import { orgScope } from "@/lib/query-keys";

const base = (org: string) => `/api/orgs/${encodeURIComponent(org)}/nodes`;
const nodePath = (org: string, node: string) => `${base(org)}/${encodeURIComponent(node)}`;

export const nodeKeys = {
  all: (org: string) => [...orgScope(org), "nodes"] as const,
  one: (org: string, node: string) => [...nodeKeys.all(org), node] as const,
  system: (org: string, node: string) => [...nodeKeys.one(org, node), "system"] as const,
  configuration: (org: string, node: string) => [...nodeKeys.one(org, node), "configuration"] as const,
  allocations: (org: string, node: string) => [...nodeKeys.one(org, node), "allocations"] as const,
};

export function getNodesQueryOptions(org: string) {
  return queryOptions({
    queryKey: nodeKeys.all(org),
    queryFn: ({ signal }) => api.get(base(org), z.array(nodeSchema), signal),
  });
}

export function useNodes(org: string) {
  return useQuery(getNodesQueryOptions(org));
}

export function useNode(org: string, node: string) {
  return useQuery({
    queryKey: nodeKeys.one(org, node),
    queryFn: ({ signal }) => api.get(nodePath(org, node), nodeSchema, signal),
    enabled: node !== "",
  });
}

/**
 * What Wings says about the node now (`…/system`): online with its use, or
 * the API's sentence for why not (offline, timed out, refused). Asked again
 * every 30 s; a failure is an answer here, not something to retry at once.
 */
export function useNodeSystem(org: string, node: string) {
  return useQuery({
    queryKey: nodeKeys.system(org, node),
    queryFn: ({ signal }) => api.get(`${nodePath(org, node)}/system`, nodeSystemSchema, signal),
    refetchInterval: 30_000,
    retry: false,
  });
}

/** `config.yml` and the install commands: they hold the node's token, so they are asked for only when shown. */
export function useNodeConfiguration(org: string, node: string, enabled = true) {
  return useQuery({
    queryKey: nodeKeys.configuration(org, node),
    queryFn: ({ signal }) => api.get(`${nodePath(org, node)}/configuration?format=json`, nodeConfigurationSchema, signal),
    enabled,
    staleTime: 0,
    gcTime: 0,
  });
}

/** `POST /api/orgs/{org}/nodes`. Errors are the form's to show. */
export function useCreateNode(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (values: NewNodeValues) => api.post(base(org), values, nodeSchema),
    onSuccess: (node) => {
      notifySuccess(`Added ${node.name}`, "Put its config.yml on the machine to connect Wings.");
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: orgScope(org) }),
  });
}

/** `PATCH …/nodes/{node}` for maintenance mode. */
export function useSetMaintenance(org: string, node: NodeRow) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (maintenance: boolean) => api.patch(nodePath(org, node.id), { maintenance }, nodeSchema),
    onSuccess: (updated) => {
      notifySuccess(
        updated.maintenance ? `${updated.name} is in maintenance` : `${updated.name} is out of maintenance`,
        updated.maintenance ? "New servers, power actions and commands are refused on it." : undefined,
      );
    },
    onError: (error) => {
      notifyError(`Could not change ${node.name}`, error);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: orgScope(org) }),
  });
}

/** `POST …/nodes/{node}/token`: a new token pair; the old one stops working here at once. */
export function useRotateToken(org: string, node: NodeRow) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.post(`${nodePath(org, node.id)}/token`, undefined, nodeSchema),
    onSuccess: () => {
      notifySuccess(`New token for ${node.name}`, "Install the new config.yml on the node and restart Wings.");
    },
    onError: (error) => {
      notifyError(`Could not rotate the token of ${node.name}`, error);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: nodeKeys.one(org, node.id) }),
  });
}

/** `DELETE …/nodes/{node}` (refused while servers are on it). */
export function useDeleteNode(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (node: NodeRow) => api.delete(nodePath(org, node.id), z.undefined()),
    onSuccess: (_, node) => {
      notifySuccess(`Removed ${node.name}`);
    },
    onError: (error, node) => {
      notifyError(`Could not remove ${node.name}`, error);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: nodeKeys.all(org) }),
  });
}

export function getAllocationsQueryOptions(org: string, node: string) {
  return queryOptions({
    queryKey: nodeKeys.allocations(org, node),
    queryFn: ({ signal }) => api.get(`${nodePath(org, node)}/allocations`, z.array(allocationSchema), signal),
  });
}

export function useAllocations(org: string, node: string) {
  return useQuery(getAllocationsQueryOptions(org, node));
}

/** The "Add allocations" form's values: `ports` as the API takes them. */
export type NewAllocationsValues = { ip: string; alias?: string; ports: string[]; notes?: string };

/** `POST …/allocations`: all the ports or none. Errors are the form's to show. */
export function useAddAllocations(org: string, node: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (values: NewAllocationsValues) =>
      api.post(`${nodePath(org, node)}/allocations`, values, z.array(allocationSchema)),
    onSuccess: (added) => {
      notifySuccess(added.length === 1 ? "Added 1 allocation" : `Added ${String(added.length)} allocations`);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: nodeKeys.all(org) }),
  });
}

/** `DELETE …/allocations/{allocation}` of a free one. */
export function useDeleteAllocation(org: string, node: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (allocation: AllocationRow) =>
      api.delete(`${nodePath(org, node)}/allocations/${encodeURIComponent(allocation.id)}`, z.undefined()),
    onSuccess: (_, a) => {
      notifySuccess(`Removed ${a.ip}:${String(a.port)}`);
    },
    onError: (error, a) => {
      notifyError(`Could not remove ${a.ip}:${String(a.port)}`, error);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: nodeKeys.all(org) }),
  });
}
