import type { NewScheduleTask } from "@/api/generated/NewScheduleTask";
import type { Schedule } from "@/api/generated/Schedule";
import type { ScheduleChange } from "@/api/generated/ScheduleChange";
import type { ScheduleTaskChange } from "@/api/generated/ScheduleTaskChange";
import {
  taskPayload,
  toNewTask,
  toScheduleChange,
  type ScheduleFormValues,
  type TaskFormValues,
} from "@/features/schedules/schemas/schedule";
import { ApiError } from "@/lib/api-client";

/** The task routes, each answering the schedule as it now is. */
export type TaskCalls = {
  /** `POST …/tasks`: appended. */
  add: (body: NewScheduleTask) => Promise<Schedule>;
  /** `PATCH …/tasks/{task}`. */
  change: (task: string, body: ScheduleTaskChange) => Promise<Schedule>;
  /** `DELETE …/tasks/{task}`: the rest renumbered. */
  remove: (task: string) => Promise<Schedule>;
};

/** A failed call about the editor's `index`th task, its field errors named as the editor's (`tasks.2.payload`). */
function aboutTask(error: unknown, index: number): unknown {
  if (!(error instanceof ApiError) || !error.fields) return error;
  const fields = Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [`tasks.${String(index)}.${k}`, v]));
  return new ApiError({ status: error.status, code: error.code, message: error.message, fields, body: error.body, cause: error });
}

async function on<T>(index: number, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw aboutTask(error, index);
  }
}

/**
 * Makes the schedule's tasks what the editor holds, through the task routes:
 * removed ones deleted, new ones appended, then each one, in the editor's
 * order, patched where its fields or its place differ (moving one to place
 * `i` leaves places 1 to i-1 alone, so going in order ends in that order).
 * Answers the schedule as it then is.
 */
export async function syncTasks(schedule: Schedule, wanted: readonly TaskFormValues[], calls: TaskCalls): Promise<Schedule> {
  let current = schedule;
  const kept = new Set(wanted.flatMap((t) => (t.id ? [t.id] : [])));
  for (const task of schedule.tasks) {
    if (!kept.has(task.id)) current = await calls.remove(task.id);
  }
  const ids: string[] = [];
  for (const [index, task] of wanted.entries()) {
    if (task.id) {
      ids.push(task.id);
      continue;
    }
    const before = new Set(current.tasks.map((t) => t.id));
    current = await on(index, () => calls.add(toNewTask(task)));
    const added = current.tasks.find((t) => !before.has(t.id));
    if (!added) throw new Error("The new task did not show in the schedule; reload to see what was saved.");
    ids.push(added.id);
  }
  for (const [index, task] of wanted.entries()) {
    const id = ids[index] ?? "";
    const now = current.tasks.find((t) => t.id === id);
    if (!now) continue;
    const change: ScheduleTaskChange = {};
    if (task.id) {
      const payload = taskPayload(task);
      if (task.action !== now.action) change.action = task.action;
      if (payload !== now.payload || change.action) change.payload = payload;
      if (task.delay_seconds !== now.delay_seconds) change.delay_seconds = task.delay_seconds;
      if (task.continue_on_failure !== now.continue_on_failure) change.continue_on_failure = task.continue_on_failure;
    }
    if (now.sequence !== index + 1) change.sequence = index + 1;
    if (Object.keys(change).length > 0) current = await on(index, () => calls.change(id, change));
  }
  return current;
}

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

/** The schedule's own route besides the task routes. */
export type ScheduleCalls = TaskCalls & {
  /** `PATCH …/schedules/{schedule}`. */
  patch: (body: ScheduleChange) => Promise<Schedule>;
};

/**
 * A save that failed after some of its requests were written: the schedule
 * as it now is, so the editor can show what was kept, and why the rest was not.
 */
export class PartialSaveError extends Error {
  readonly schedule: Schedule;

  constructor(schedule: Schedule, cause: unknown) {
    super(cause instanceof Error ? cause.message : "The rest of the changes were not saved.", { cause });
    this.name = "PartialSaveError";
    this.schedule = schedule;
  }
}

/**
 * Saves the editor over `schedule`: `PATCH` when its own fields changed,
 * then its tasks ({@link syncTasks}). A failure before anything was written
 * is thrown as it is (field errors named as the editor's); one after is a
 * {@link PartialSaveError}.
 */
export async function saveSchedule(schedule: Schedule, values: ScheduleFormValues, calls: ScheduleCalls): Promise<Schedule> {
  const written: { latest: Schedule | null } = { latest: null };
  const kept =
    <A extends unknown[]>(call: (...args: A) => Promise<Schedule>) =>
    async (...args: A): Promise<Schedule> => {
      written.latest = await call(...args);
      return written.latest;
    };
  try {
    const change = toScheduleChange(values, schedule);
    const saved = Object.keys(change).length > 0 ? await kept(calls.patch)(change) : schedule;
    return await syncTasks(saved, values.tasks, { add: kept(calls.add), change: kept(calls.change), remove: kept(calls.remove) });
  } catch (error) {
    if (written.latest) throw new PartialSaveError(written.latest, error);
    throw error;
  }
}
