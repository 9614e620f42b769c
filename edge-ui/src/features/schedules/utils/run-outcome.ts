import type { ScheduleRun } from "@/api/generated/ScheduleRun";
import type { ScheduleRunStatus } from "@/api/generated/ScheduleRunStatus";
import type { ScheduleTaskResult } from "@/api/generated/ScheduleTaskResult";

/** A run's status as a word. */
export const RUN_STATUS: Record<ScheduleRunStatus, string> = {
  running: "Running",
  completed: "Completed",
  failed: "Failed",
  skipped: "Skipped",
  missed: "Missed",
};

/** Why a run failed: its reason, else the first failing task's. */
function failure(run: ScheduleRun): string | null {
  return run.reason ?? run.results.find((r) => !r.ok)?.error ?? null;
}

/**
 * A run's outcome as one sentence: "Completed", "Failed: the node could not
 * be reached", "Skipped: the server was offline", "Missed: …".
 */
export function runOutcome(run: ScheduleRun): string {
  const word = RUN_STATUS[run.status];
  if (run.status === "running" || run.status === "completed") return word;
  const why = run.status === "failed" ? failure(run) : run.reason;
  return why ? `${word}: ${why}` : word;
}

/** Whether a run's outcome is bad news (shown in red). */
export function runWentWrong(run: ScheduleRun): boolean {
  return run.status === "failed" || run.status === "missed";
}

/** One task's result in a run: "Done", or why not. */
export function taskResultOutcome(result: ScheduleTaskResult): string {
  if (result.ok) return "Done";
  return result.error ? `Failed: ${result.error}` : "Failed";
}
