import type { TaskFormValues } from "@/features/schedules/schemas/schedule";
import { ApiError } from "@/lib/api-client";

/**
 * The API's field names as the editor's: a task's `payload` is its command,
 * its signal or its files left out, by its action (`tasks.0.payload` ->
 * `tasks.0.command`). Other failures are answered as they are.
 */
export function asEditorError(error: unknown, tasks: readonly Pick<TaskFormValues, "action">[]): unknown {
  if (!(error instanceof ApiError) || !error.fields) return error;
  const fields: Record<string, string> = {};
  for (const [key, message] of Object.entries(error.fields)) {
    const match = /^tasks\.(\d+)\.payload$/.exec(key);
    const action = match ? tasks[Number(match[1])]?.action : undefined;
    const field = action === "command" ? "command" : action === "power" ? "signal" : action === "backup" ? "ignored" : null;
    fields[match && field ? `tasks.${match[1] ?? ""}.${field}` : key] = message;
  }
  return new ApiError({ status: error.status, code: error.code, message: error.message, fields, body: error.body, cause: error });
}
