import { describe, expect, it } from "vitest";

import type { Schedule } from "@/api/generated/Schedule";
import { blankTask, formValues, toScheduleChange } from "@/features/schedules/schemas/schedule";
import { asEditorError } from "@/features/schedules/utils/editor-error";
import { ApiError } from "@/lib/api-client";

const NIGHTLY: Schedule = {
  id: "s1",
  server_id: "srv",
  name: "Nightly",
  cron: "0 4 * * *",
  description: "at 04:00 every day",
  enabled: true,
  only_when_online: false,
  next_run_at: null,
  last_run: null,
  tasks: [
    { id: "a", sequence: 1, action: "command", payload: "one", delay_seconds: 0, continue_on_failure: false },
    { id: "b", sequence: 2, action: "power", payload: "restart", delay_seconds: 30, continue_on_failure: true },
  ],
  created_at: "2026-12-01T10:00:00Z",
  updated_at: "2026-12-01T10:00:00Z",
};

describe("toScheduleChange", () => {
  it("sends the changed fields and the whole task list in the editor's order, kept tasks by id", () => {
    const values = formValues(NIGHTLY);
    const [a, b] = values.tasks;
    if (!a || !b) throw new Error("fixture");
    const change = toScheduleChange(
      { ...values, name: " Nightly restart ", tasks: [b, { ...blankTask(), action: "backup", ignored: "logs/\n" }, { ...a, command: "ONE" }] },
      NIGHTLY,
    );
    expect(change).toEqual({
      name: "Nightly restart",
      tasks: [
        { id: "b", action: "power", payload: "restart", delay_seconds: 30, continue_on_failure: true },
        { action: "backup", payload: "logs/", delay_seconds: 0, continue_on_failure: false },
        { id: "a", action: "command", payload: "ONE", delay_seconds: 0, continue_on_failure: false },
      ],
    });
  });

  it("sends an empty list when every task was removed", () => {
    expect(toScheduleChange({ ...formValues(NIGHTLY), tasks: [] }, NIGHTLY)).toEqual({ tasks: [] });
  });
});

describe("asEditorError", () => {
  it("names a task's payload errors by its action, and leaves the rest as they are", () => {
    const shown = asEditorError(
      new ApiError({
        status: 422,
        code: "validation",
        message: "Some fields are invalid.",
        fields: { cron: "is bad", "tasks.0.payload": "must be one line", "tasks.1.payload": "must be start, stop, restart or kill", "tasks.1.id": "is not a task of this schedule" },
      }),
      [{ action: "command" }, { action: "power" }],
    ) as ApiError;
    expect(shown.fields).toEqual({
      cron: "is bad",
      "tasks.0.command": "must be one line",
      "tasks.1.signal": "must be start, stop, restart or kill",
      "tasks.1.id": "is not a task of this schedule",
    });
    const other = new Error("offline");
    expect(asEditorError(other, [])).toBe(other);
  });
});
