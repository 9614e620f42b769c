import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { eggSchema, eggSummarySchema, type EggRow, type EggSummaryRow, type EggVariableRow } from "@/features/eggs/schemas/egg";
import { ApiError, api } from "@/lib/api-client";
import { notifyError, notifySuccess } from "@/lib/notify";
import { orgScope } from "@/lib/query-keys";

const base = (org: string) => `/api/orgs/${encodeURIComponent(org)}/eggs`;
const eggPath = (org: string, egg: string) => `${base(org)}/${encodeURIComponent(egg)}`;

export const eggKeys = {
  all: (org: string) => [...orgScope(org), "eggs"] as const,
  one: (org: string, egg: string) => [...eggKeys.all(org), egg] as const,
};

export function getEggsQueryOptions(org: string) {
  return queryOptions({
    queryKey: eggKeys.all(org),
    queryFn: ({ signal }) => api.get(base(org), z.array(eggSummarySchema), signal),
  });
}

export function useEggs(org: string) {
  return useQuery(getEggsQueryOptions(org));
}

export function getEggQueryOptions(org: string, egg: string) {
  return queryOptions({
    queryKey: eggKeys.one(org, egg),
    queryFn: ({ signal }) => api.get(eggPath(org, egg), eggSchema, signal),
  });
}

export function useEgg(org: string, egg: string | undefined) {
  return useQuery({ ...getEggQueryOptions(org, egg ?? ""), enabled: Boolean(egg) });
}

/** Where the egg downloads as a PLCN_v3 file (JSON, or YAML). */
export function eggExportHref(org: string, egg: string, format: "json" | "yaml"): string {
  return `${eggPath(org, egg)}/export${format === "yaml" ? "?format=yaml" : ""}`;
}

/** Whether an egg file's text is YAML rather than JSON (JSON starts with `{`). */
export function looksLikeYaml(text: string): boolean {
  return !text.trimStart().startsWith("{");
}

/**
 * `POST …/eggs/import` with the file itself as the body (JSON or YAML, any
 * supported format): the API's client sends JSON only, so this one request
 * is made here, with the same error envelope read into an ApiError.
 */
async function importEgg(org: string, text: string): Promise<EggRow> {
  let response: Response;
  try {
    response = await fetch(`${base(org)}/import`, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": looksLikeYaml(text) ? "application/yaml" : "application/json" },
      body: text,
      credentials: "same-origin",
    });
  } catch (cause) {
    throw new ApiError({
      status: 0,
      code: "network_error",
      message: "Could not reach the Flamingo API. Check your connection and try again.",
      cause,
    });
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const envelope = z
      .object({
        error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.string()).optional() }),
      })
      .safeParse(body);
    if (envelope.success) throw new ApiError({ status: response.status, ...envelope.data.error, body });
    throw new ApiError({
      status: response.status,
      code: `http_${String(response.status)}`,
      message: `The server answered HTTP ${String(response.status)}.`,
      body,
    });
  }
  const parsed = eggSchema.safeParse(body);
  if (!parsed.success)
    throw new ApiError({
      status: response.status,
      code: "invalid_response",
      message: "The server sent a response this page does not understand.",
      body,
    });
  return parsed.data;
}

/** Imports an egg file; its errors (with the fields named) are the form's to show. */
export function useImportEgg(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (text: string) => importEgg(org, text),
    onSuccess: (egg) => {
      notifySuccess(`Imported ${egg.definition.name}`);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: eggKeys.all(org) }),
  });
}

/** `PATCH …/eggs/{egg}` with the variables; errors are the form's to show. */
export function useSaveVariables(org: string, egg: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (variables: EggVariableRow[]) => api.patch(eggPath(org, egg), { variables }, eggSchema),
    onSuccess: (saved) => {
      notifySuccess(`Saved the variables of ${saved.definition.name}`);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: eggKeys.all(org) }),
  });
}

/** `DELETE …/eggs/{egg}` (refused while servers use it). */
export function useDeleteEgg(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (egg: EggSummaryRow) => api.delete(eggPath(org, egg.id), z.undefined()),
    onSuccess: (_, egg) => {
      notifySuccess(`Deleted ${egg.name}`);
    },
    onError: (error, egg) => {
      notifyError(`Could not delete ${egg.name}`, error);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: eggKeys.all(org) }),
  });
}
