import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import { gameServerKeys, serverPath } from "@/features/game-servers/api/servers";
import { wingsErrorMessage } from "@/features/game-servers/lib/wings-errors";
import { fileStatSchema, signedUrlSchema } from "@/features/game-servers/schemas/server";
import { ApiError, api } from "@/lib/api-client";
import { notifyError, notifySuccess } from "@/lib/notify";

export const fileKeys = {
  all: (org: string, server: string) => [...gameServerKeys.detail(org, server), "files"] as const,
  directory: (org: string, server: string, directory: string) =>
    [...fileKeys.all(org, server), "list", directory] as const,
  contents: (org: string, server: string, file: string) => [...fileKeys.all(org, server), "contents", file] as const,
};

function filesPath(org: string, server: string, tail: string): string {
  return serverPath(org, server, `/files/${tail}`);
}

/** Every entry of a directory, in one response (no cap). */
export function useDirectory(org: string, server: string, directory: string) {
  return useQuery({
    queryKey: fileKeys.directory(org, server, directory),
    queryFn: ({ signal }) =>
      api.get(
        filesPath(org, server, `list?directory=${encodeURIComponent(directory)}`),
        z.array(fileStatSchema),
        signal,
      ),
  });
}

/** Raw text of a file (up to 1 MiB), for the editor. */
export function useFileContents(org: string, server: string, file: string | null) {
  return useQuery({
    queryKey: fileKeys.contents(org, server, file ?? ""),
    enabled: file !== null,
    // The editor holds its own copy; never replace it under the cursor.
    staleTime: Infinity,
    gcTime: 0,
    queryFn: async ({ signal }) => {
      const response = await fetch(filesPath(org, server, `contents?file=${encodeURIComponent(file ?? "")}`), {
        credentials: "same-origin",
        signal,
      });
      if (!response.ok) throw await errorOf(response);
      return response.text();
    },
  });
}

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    return new ApiError({
      status: response.status,
      code: body.error?.code ?? `http_${String(response.status)}`,
      message: body.error?.message ?? `The server answered HTTP ${String(response.status)}.`,
    });
  } catch {
    return new ApiError({
      status: response.status,
      code: `http_${String(response.status)}`,
      message: response.status === 413 ? "The file is too large to save here: upload it instead." : `The server answered HTTP ${String(response.status)}.`,
    });
  }
}

/** `PUT …/files/contents?file=`: saves the editor's text. */
export function useSaveFile(org: string, server: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ file, text }: { file: string; text: string }) => {
      const response = await fetch(filesPath(org, server, `contents?file=${encodeURIComponent(file)}`), {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "text/plain" },
        body: text,
      });
      if (!response.ok) throw await errorOf(response);
    },
    onSuccess: (_, { file }) => {
      notifySuccess(`Saved ${file}`);
    },
    onError: (error, { file }) => {
      notifyError(`Could not save ${file}`, new Error(wingsErrorMessage(error)));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: [...fileKeys.all(org, server), "list"] }),
  });
}

/** A file action: a JSON call, its toast, and the listing refreshed. */
export type FileAction =
  | { kind: "rename"; root: string; files: { from: string; to: string }[] }
  | { kind: "copy"; location: string }
  | { kind: "delete"; root: string; files: string[] }
  | { kind: "create-folder"; path: string; name: string }
  | { kind: "compress"; root: string; files: string[] }
  | { kind: "decompress"; root: string; file: string }
  | { kind: "chmod"; root: string; files: { file: string; mode: string }[] };

function describe(action: FileAction): { done: string; failed: string } {
  switch (action.kind) {
    case "rename":
      return action.files.length === 1
        ? { done: `Moved to ${action.files[0]?.to ?? ""}`, failed: "Could not rename or move it" }
        : { done: `Moved ${String(action.files.length)} items`, failed: "Could not move them" };
    case "copy":
      return { done: `Copied ${action.location}`, failed: `Could not copy ${action.location}` };
    case "delete":
      return {
        done: action.files.length === 1 ? `Deleted ${action.files[0] ?? ""}` : `Deleted ${String(action.files.length)} items`,
        failed: "Could not delete",
      };
    case "create-folder":
      return { done: `Created the folder ${action.name}`, failed: `Could not create ${action.name}` };
    case "compress":
      return { done: "Archive created", failed: "Could not create the archive" };
    case "decompress":
      return { done: `Unpacked ${action.file}`, failed: `Could not unpack ${action.file}` };
    case "chmod":
      return { done: "Permissions changed", failed: "Could not change the permissions" };
  }
}

function send(org: string, server: string, action: FileAction): Promise<unknown> {
  const { kind, ...body } = action;
  const path = filesPath(org, server, kind);
  return kind === "rename" ? api.put(path, body, z.unknown()) : api.post(path, body, z.unknown());
}

/** Runs a file action with a toast at the end and the listing refreshed. */
export function useFileAction(org: string, server: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (action: FileAction) => send(org, server, action),
    onSuccess: (_, action) => {
      notifySuccess(describe(action).done);
    },
    onError: (error, action) => {
      notifyError(describe(action).failed, new Error(wingsErrorMessage(error)));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: [...fileKeys.all(org, server), "list"] }),
  });
}

/** A single-use Wings URL to download `file` from. */
export function downloadUrl(org: string, server: string, file: string): Promise<string> {
  return api
    .get(filesPath(org, server, `download?file=${encodeURIComponent(file)}`), signedUrlSchema)
    .then((r) => r.url);
}

/** A single-use Wings URL to upload into `directory`. */
export function uploadUrl(org: string, server: string, directory: string): Promise<string> {
  return api
    .get(filesPath(org, server, `upload?directory=${encodeURIComponent(directory)}`), signedUrlSchema)
    .then((r) => r.url);
}

/**
 * Posts `files` to a signed Wings URL as multipart field `files`, straight
 * from the browser (the bytes never pass through Flamingo), reporting
 * progress as bytes sent.
 */
export function postToWings(url: string, files: readonly File[], onProgress: (sent: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const f of files) form.append("files", f, f.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.upload.addEventListener("progress", (e) => {
      onProgress(e.loaded);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve();
        return;
      }
      let message = `The node refused the upload (HTTP ${String(xhr.status)}).`;
      try {
        const body = JSON.parse(xhr.responseText) as { error?: string };
        if (typeof body.error === "string" && body.error) message = body.error;
      } catch {
        // Not JSON: keep the plain sentence.
      }
      reject(new Error(message));
    });
    xhr.addEventListener("error", () => {
      reject(new Error("The upload could not reach the node. It may be offline."));
    });
    xhr.send(form);
  });
}
