import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import {
  serverDetailSchema,
  serverPageSchema,
  utilizationSchema,
  type GameServerView,
} from "@/features/game-servers/schemas/server";
import { api } from "@/lib/api-client";
import { notifyError, notifySuccess } from "@/lib/notify";
import { orgScope } from "@/lib/query-keys";
import { wingsErrorMessage } from "@/features/game-servers/lib/wings-errors";

/** Query keys: every game-server query sits under `["orgs", org, "game-servers"]`, which `server.*` events refresh. */
export const gameServerKeys = {
  all: (org: string) => [...orgScope(org), "game-servers"] as const,
  list: (org: string) => [...gameServerKeys.all(org), "list"] as const,
  utilization: (org: string) => [...gameServerKeys.all(org), "utilization"] as const,
  detail: (org: string, server: string) => [...gameServerKeys.all(org), "server", server] as const,
};

/** The API's largest page; a bigger organization's list comes in a few pages asked at once. */
export const SERVER_PAGE_SIZE = 200;

export function serverPath(org: string, server: string, tail = ""): string {
  return `/api/orgs/${encodeURIComponent(org)}/servers/${encodeURIComponent(server)}${tail}`;
}

/** Every server of the organization, from the database alone (Wings is not asked). */
export async function fetchAllServers(org: string, signal?: AbortSignal): Promise<GameServerView[]> {
  const base = `/api/orgs/${encodeURIComponent(org)}/servers?limit=${String(SERVER_PAGE_SIZE)}`;
  const first = await api.get(`${base}&offset=0`, serverPageSchema, signal);
  if (first.total <= first.items.length) return first.items;
  const offsets: number[] = [];
  for (let offset = SERVER_PAGE_SIZE; offset < first.total; offset += SERVER_PAGE_SIZE) offsets.push(offset);
  const rest = await Promise.all(
    offsets.map((offset) => api.get(`${base}&offset=${String(offset)}`, serverPageSchema, signal)),
  );
  return [first, ...rest].flatMap((page) => page.items);
}

export function getServersQueryOptions(org: string) {
  return queryOptions({
    queryKey: gameServerKeys.list(org),
    queryFn: ({ signal }) => fetchAllServers(org, signal),
  });
}

export function useServers(org: string) {
  return useQuery(getServersQueryOptions(org));
}

/** Live figures for every server, one Wings call per node made by the API; asked after the list shows. */
export function useUtilization(org: string, enabled: boolean) {
  return useQuery({
    queryKey: gameServerKeys.utilization(org),
    queryFn: ({ signal }) =>
      api.get(`/api/orgs/${encodeURIComponent(org)}/servers/utilization`, utilizationSchema, signal),
    enabled,
    refetchInterval: 10_000,
    retry: 1,
  });
}

export function getServerQueryOptions(org: string, server: string) {
  return queryOptions({
    queryKey: gameServerKeys.detail(org, server),
    queryFn: ({ signal }) => api.get(serverPath(org, server), serverDetailSchema, signal),
  });
}

export function useServer(org: string, server: string) {
  return useQuery(getServerQueryOptions(org, server));
}

export type PowerSignal = "start" | "stop" | "restart" | "kill";

const POWER_DONE: Record<PowerSignal, string> = {
  start: "Start sent",
  stop: "Stop sent",
  restart: "Restart sent",
  kill: "Kill sent",
};

/** `POST …/power`. */
export function usePower(org: string, server: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (signal: PowerSignal) => api.post(serverPath(org, server, "/power"), { signal }, z.unknown()),
    onSuccess: (_, signal) => {
      notifySuccess(POWER_DONE[signal]);
    },
    onError: (error, signal) => {
      notifyError(`Could not ${signal} the server`, new Error(wingsErrorMessage(error)));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: gameServerKeys.all(org) }),
  });
}
