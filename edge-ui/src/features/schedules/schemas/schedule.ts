import { z } from "zod";

import type { NewSchedule } from "@/api/generated/NewSchedule";
import type { NewScheduleTask } from "@/api/generated/NewScheduleTask";
import type { Schedule } from "@/api/generated/Schedule";
import type { ScheduleChange } from "@/api/generated/ScheduleChange";
import type { ScheduleDetail } from "@/api/generated/ScheduleDetail";
import type { ScheduleList } from "@/api/generated/ScheduleList";
import type { ScheduleRun } from "@/api/generated/ScheduleRun";
import type { ScheduleTask } from "@/api/generated/ScheduleTask";
import type { ScheduleTaskListed } from "@/api/generated/ScheduleTaskListed";
import type { ScheduleTaskResult } from "@/api/generated/ScheduleTaskResult";
import { describeCron } from "@/features/schedules/utils/describe-cron";
import { nameRule } from "@/lib/validation";

const actionSchema = z.enum(["command", "power", "backup"]);

export const taskSchema = z.object({
  id: z.string(),
  sequence: z.number(),
  action: actionSchema,
  payload: z.string(),
  delay_seconds: z.number(),
  continue_on_failure: z.boolean(),
}) satisfies z.ZodType<ScheduleTask>;

export const taskResultSchema = z.object({
  task_id: z.string(),
  sequence: z.number(),
  action: z.string(),
  ok: z.boolean(),
  error: z.string().optional(),
  at: z.string(),
}) satisfies z.ZodType<ScheduleTaskResult>;

export const runSchema = z.object({
  id: z.string(),
  schedule_id: z.string(),
  trigger: z.string(),
  due_at: z.string(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  status: z.enum(["running", "completed", "failed", "skipped", "missed"]),
  reason: z.string().nullable(),
  results: z.array(taskResultSchema),
}) satisfies z.ZodType<ScheduleRun>;

export const scheduleSchema = z.object({
  id: z.string(),
  server_id: z.string(),
  name: z.string(),
  cron: z.string(),
  description: z.string(),
  enabled: z.boolean(),
  only_when_online: z.boolean(),
  next_run_at: z.string().nullable(),
  last_run: runSchema.nullable(),
  tasks: z.array(taskSchema),
  created_at: z.string(),
  updated_at: z.string(),
}) satisfies z.ZodType<Schedule>;

export const scheduleListSchema = z.object({ items: z.array(scheduleSchema) }) satisfies z.ZodType<ScheduleList>;

export const scheduleDetailSchema = z.object({
  schedule: scheduleSchema,
  runs: z.array(runSchema),
}) satisfies z.ZodType<ScheduleDetail>;

/** The power signals a power task sends. */
export const POWER_SIGNALS = ["start", "stop", "restart", "kill"] as const;

/** The longest delay before a task, in seconds (the API's). */
export const MAX_DELAY_SECONDS = 900;

/** The most tasks a schedule holds (the API's). */
export const MAX_TASKS = 10;

/** One task in the editor; `id` is set for a task the schedule already has. */
export const taskFormSchema = z
  .object({
    id: z.string().optional(),
    action: actionSchema,
    command: z.string(),
    signal: z.enum(POWER_SIGNALS),
    ignored: z.string(),
    delay_seconds: z
      .number({ error: "Enter a number of seconds." })
      .int("Use whole seconds.")
      .min(0, `Use 0 to ${String(MAX_DELAY_SECONDS)} seconds.`)
      .max(MAX_DELAY_SECONDS, `Use 0 to ${String(MAX_DELAY_SECONDS)} seconds.`),
    continue_on_failure: z.boolean(),
  })
  .superRefine((task, ctx) => {
    if (task.action === "command") {
      const line = task.command.replace(/[\r\n]+$/, "");
      if (line.trim() === "") ctx.addIssue({ code: "custom", path: ["command"], message: "Enter the command to send." });
      else if (/[\r\n]/.test(line) || line.length > 2000)
        ctx.addIssue({ code: "custom", path: ["command"], message: "Use one console line of at most 2000 characters." });
    }
    if (task.action === "backup" && task.ignored.length > 10_000)
      ctx.addIssue({ code: "custom", path: ["ignored"], message: "Use at most 10000 characters." });
  });

export type TaskFormValues = z.infer<typeof taskFormSchema>;

export const scheduleFormSchema = z.object({
  name: nameRule,
  cron: z
    .string()
    .trim()
    .refine((value) => describeCron(value) !== null, "Enter five fields: minute hour day-of-month month day-of-week."),
  enabled: z.boolean(),
  only_when_online: z.boolean(),
  tasks: z.array(taskFormSchema).max(MAX_TASKS, `A schedule holds at most ${String(MAX_TASKS)} tasks.`),
});

export type ScheduleFormValues = z.infer<typeof scheduleFormSchema>;

/** A new task's editor values. */
export function blankTask(): TaskFormValues {
  return { action: "command", command: "", signal: "restart", ignored: "", delay_seconds: 0, continue_on_failure: false };
}

/** The editor's values for a new schedule, or for `schedule`. */
export function formValues(schedule?: Schedule): ScheduleFormValues {
  if (!schedule) return { name: "", cron: "0 4 * * *", enabled: true, only_when_online: false, tasks: [] };
  return {
    name: schedule.name,
    cron: schedule.cron,
    enabled: schedule.enabled,
    only_when_online: schedule.only_when_online,
    tasks: [...schedule.tasks]
      .sort((a, b) => a.sequence - b.sequence)
      .map((t) => ({
        id: t.id,
        action: t.action,
        command: t.action === "command" ? t.payload : "",
        signal: t.action === "power" ? (POWER_SIGNALS.find((s) => s === t.payload) ?? "restart") : "restart",
        ignored: t.action === "backup" ? t.payload : "",
        delay_seconds: t.delay_seconds,
        continue_on_failure: t.continue_on_failure,
      })),
  };
}

/** A task's payload as the API takes it: the command, the signal, or the files a backup leaves out. */
export function taskPayload(task: TaskFormValues): string {
  if (task.action === "command") return task.command.replace(/[\r\n]+$/, "");
  if (task.action === "power") return task.signal;
  return task.ignored.trim();
}

/** A task in the editor as `POST …/tasks`'s body (and a new schedule's `tasks` entry). */
export function toNewTask(task: TaskFormValues): NewScheduleTask {
  return {
    action: task.action,
    payload: taskPayload(task),
    delay_seconds: task.delay_seconds,
    continue_on_failure: task.continue_on_failure,
  };
}

/** The editor as `POST …/schedules`'s body. */
export function toNewSchedule(values: ScheduleFormValues): NewSchedule {
  return {
    name: values.name.trim(),
    cron: values.cron.trim(),
    enabled: values.enabled,
    only_when_online: values.only_when_online,
    tasks: values.tasks.map(toNewTask),
  };
}

/**
 * The editor as `PATCH …/schedules/{schedule}`'s body: the fields that
 * changed, and always the whole task list in order (kept tasks by id, new
 * ones without), which the API writes with them in one batch or not at all.
 */
export function toScheduleChange(values: ScheduleFormValues, schedule: Schedule): ScheduleChange {
  const change: ScheduleChange = { tasks: values.tasks.map(toListedTask) };
  const name = values.name.trim();
  const cron = values.cron.trim();
  if (name !== schedule.name) change.name = name;
  if (cron !== schedule.cron) change.cron = cron;
  if (values.enabled !== schedule.enabled) change.enabled = values.enabled;
  if (values.only_when_online !== schedule.only_when_online) change.only_when_online = values.only_when_online;
  return change;
}

/** A task in the editor as an entry of the PATCH's `tasks`: its id when it is saved already. */
export function toListedTask(task: TaskFormValues): ScheduleTaskListed {
  return task.id ? { id: task.id, ...toNewTask(task) } : toNewTask(task);
}

/** What a task does, in a few words: "Send say hi", "Restart the server", "Create a backup". */
export function describeTask(task: Pick<ScheduleTask, "action" | "payload">): string {
  if (task.action === "command") return `Send “${task.payload}”`;
  if (task.action === "power") {
    const verb = { start: "Start", stop: "Stop", restart: "Restart", kill: "Kill" }[task.payload] ?? task.payload;
    return `${verb} the server`;
  }
  const left = task.payload.split("\n").filter((l) => l.trim() !== "").length;
  return left === 0 ? "Create a backup" : `Create a backup, leaving out ${String(left)} ${left === 1 ? "pattern" : "patterns"}`;
}
