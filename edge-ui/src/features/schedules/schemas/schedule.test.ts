import { describe, expect, it } from "vitest";

import type { Schedule } from "@/api/generated/Schedule";
import {
  blankTask,
  describeTask,
  formValues,
  scheduleFormSchema,
  toNewSchedule,
  toScheduleChange,
  type ScheduleFormValues,
} from "@/features/schedules/schemas/schedule";

const SCHEDULE: Schedule = {
  id: "s1",
  server_id: "srv",
  name: "Nightly",
  cron: "0 4 * * *",
  description: "At 04:00",
  enabled: true,
  only_when_online: false,
  next_run_at: "2026-12-02T04:00:00Z",
  last_run: null,
  tasks: [
    { id: "t2", sequence: 2, action: "backup", payload: "logs/\n*.tmp", delay_seconds: 30, continue_on_failure: false },
    { id: "t1", sequence: 1, action: "power", payload: "restart", delay_seconds: 0, continue_on_failure: true },
  ],
  created_at: "2026-12-01T10:00:00Z",
  updated_at: "2026-12-01T10:00:00Z",
};

describe("schedule form", () => {
  it("turns the editor into POST …/schedules's body, each task's payload by its action", () => {
    const values: ScheduleFormValues = {
      name: "  Restart ",
      cron: " */5 * * * * ",
      enabled: false,
      only_when_online: true,
      tasks: [
        { ...blankTask(), command: "say bye\n", signal: "kill", delay_seconds: 0 },
        { ...blankTask(), action: "power", command: "ignored", signal: "stop", delay_seconds: 60, continue_on_failure: true },
        { ...blankTask(), action: "backup", ignored: "  logs/\n", delay_seconds: 900 },
      ],
    };
    expect(toNewSchedule(values)).toEqual({
      name: "Restart",
      cron: "*/5 * * * *",
      enabled: false,
      only_when_online: true,
      tasks: [
        { action: "command", payload: "say bye", delay_seconds: 0, continue_on_failure: false },
        { action: "power", payload: "stop", delay_seconds: 60, continue_on_failure: true },
        { action: "backup", payload: "logs/", delay_seconds: 900, continue_on_failure: false },
      ],
    });
  });

  it("reads a schedule into the editor with its tasks in order, and patches what changed with the whole task list", () => {
    const values = formValues(SCHEDULE);
    expect(values.tasks.map((t) => [t.id, t.action, t.signal, t.ignored])).toEqual([
      ["t1", "power", "restart", ""],
      ["t2", "backup", "restart", "logs/\n*.tmp"],
    ]);
    const tasks = toScheduleChange(values, SCHEDULE).tasks;
    expect(tasks?.map((t) => [t.id, t.action, t.payload])).toEqual([
      ["t1", "power", "restart"],
      ["t2", "backup", "logs/\n*.tmp"],
    ]);
    expect(toScheduleChange(values, SCHEDULE)).toEqual({ tasks });
    expect(toScheduleChange({ ...values, name: "Nightly 2", enabled: false }, SCHEDULE)).toEqual({
      name: "Nightly 2",
      enabled: false,
      tasks,
    });
    expect(toScheduleChange({ ...values, cron: "0 5 * * *", only_when_online: true }, SCHEDULE)).toEqual({
      cron: "0 5 * * *",
      only_when_online: true,
      tasks,
    });
  });

  it("checks the fields before sending: name, five cron fields, a command, a delay of 0-900 s", () => {
    const base = formValues();
    expect(scheduleFormSchema.safeParse({ ...base, name: "Daily" }).success).toBe(true);
    const bad = scheduleFormSchema.safeParse({
      ...base,
      name: " ",
      cron: "0 4 * *",
      tasks: [
        { ...blankTask(), command: "" },
        { ...blankTask(), command: "one\ntwo" },
        { ...blankTask(), command: "ok", delay_seconds: 901 },
        { ...blankTask(), command: "ok", delay_seconds: Number.NaN },
        { ...blankTask(), action: "power", command: "" },
      ],
    });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join(".")).sort();
    expect(paths).toEqual(["cron", "name", "tasks.0.command", "tasks.1.command", "tasks.2.delay_seconds", "tasks.3.delay_seconds"]);
  });

  it("says what a task does", () => {
    expect(describeTask({ action: "command", payload: "say hi" })).toBe("Send “say hi”");
    expect(describeTask({ action: "power", payload: "restart" })).toBe("Restart the server");
    expect(describeTask({ action: "backup", payload: "" })).toBe("Create a backup");
    expect(describeTask({ action: "backup", payload: "logs/\n*.tmp" })).toBe("Create a backup, leaving out 2 patterns");
  });
});
