import { describe, expect, it } from "vitest";

import type { NewScheduleTask } from "@/api/generated/NewScheduleTask";
import type { Schedule } from "@/api/generated/Schedule";
import type { ScheduleTask } from "@/api/generated/ScheduleTask";
import type { ScheduleTaskChange } from "@/api/generated/ScheduleTaskChange";
import { blankTask, formValues } from "@/features/schedules/schemas/schedule";
import { asEditorError, PartialSaveError, saveSchedule, syncTasks } from "@/features/schedules/utils/sync-tasks";
import { ApiError } from "@/lib/api-client";

function task(id: string, sequence: number, payload: string): ScheduleTask {
  return { id, sequence, action: "command", payload, delay_seconds: 0, continue_on_failure: false };
}

function schedule(tasks: ScheduleTask[]): Schedule {
  return {
    id: "s1",
    server_id: "srv",
    name: "Nightly",
    cron: "0 4 * * *",
    description: "At 04:00",
    enabled: true,
    only_when_online: false,
    next_run_at: null,
    last_run: null,
    tasks,
    created_at: "2026-12-01T10:00:00Z",
    updated_at: "2026-12-01T10:00:00Z",
  };
}

/** The task routes over an in-memory list, as the API renumbers it; records each call. */
function fakeRoutes(start: ScheduleTask[]) {
  let tasks = [...start];
  let next = 0;
  const calls: string[] = [];
  const answer = () => schedule(tasks.map((t, i) => ({ ...t, sequence: i + 1 })));
  return {
    calls,
    tasks: () => tasks,
    routes: {
      add: (body: NewScheduleTask) => {
        next += 1;
        calls.push(`add ${body.payload}`);
        tasks = [...tasks, { ...task(`new${String(next)}`, 0, body.payload), ...body, delay_seconds: body.delay_seconds ?? 0, continue_on_failure: body.continue_on_failure ?? false }];
        return Promise.resolve(answer());
      },
      change: (id: string, body: ScheduleTaskChange) => {
        calls.push(`change ${id} ${JSON.stringify(body)}`);
        const existing = tasks.find((t) => t.id === id);
        if (!existing) return Promise.reject(new Error(`no task ${id}`));
        const { sequence, ...rest } = body;
        const updated = { ...existing, ...rest };
        const others = tasks.filter((t) => t.id !== id);
        const at = sequence === undefined ? tasks.indexOf(existing) : sequence - 1;
        tasks = [...others.slice(0, at), updated, ...others.slice(at)];
        return Promise.resolve(answer());
      },
      remove: (id: string) => {
        calls.push(`remove ${id}`);
        tasks = tasks.filter((t) => t.id !== id);
        return Promise.resolve(answer());
      },
    },
  };
}

describe("syncTasks", () => {
  it("changes nothing when the editor holds the tasks as they are", async () => {
    const start = schedule([task("a", 1, "one"), task("b", 2, "two")]);
    const fake = fakeRoutes(start.tasks);
    await syncTasks(start, formValues(start).tasks, fake.routes);
    expect(fake.calls).toEqual([]);
  });

  it("removes, appends, edits and reorders through the task routes, ending in the editor's order", async () => {
    const start = schedule([task("a", 1, "one"), task("b", 2, "two"), task("c", 3, "three")]);
    const fake = fakeRoutes(start.tasks);
    const [a, , c] = formValues(start).tasks;
    if (!a || !c) throw new Error("fixture");
    const wanted = [{ ...blankTask(), command: "first" }, { ...c, command: "THREE" }, a];
    const done = await syncTasks(start, wanted, fake.routes);
    expect(fake.calls).toEqual([
      "remove b",
      "add first",
      'change new1 {"sequence":1}',
      'change c {"payload":"THREE","sequence":2}',
    ]);
    expect(done.tasks.map((t) => [t.sequence, t.payload])).toEqual([
      [1, "first"],
      [2, "THREE"],
      [3, "one"],
    ]);
  });

  it("names a task route's field errors after the editor's task, and its payload by the task's action", async () => {
    const start = schedule([task("a", 1, "one")]);
    const fake = fakeRoutes(start.tasks);
    const wanted = [...formValues(start).tasks, { ...blankTask(), action: "power" as const }];
    const failing = {
      ...fake.routes,
      add: () =>
        Promise.reject(new ApiError({ status: 422, code: "validation", message: "Some fields are invalid.", fields: { payload: "must be start, stop, restart or kill" } })),
    };
    const error = await syncTasks(start, wanted, failing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).fields).toEqual({ "tasks.1.payload": "must be start, stop, restart or kill" });
    const shown = asEditorError(error, wanted) as ApiError;
    expect(shown.fields).toEqual({ "tasks.1.signal": "must be start, stop, restart or kill" });
    const created = asEditorError(
      new ApiError({ status: 422, code: "validation", message: "x", fields: { cron: "is bad", "tasks.0.payload": "must be one line" } }),
      [{ action: "command" }],
    ) as ApiError;
    expect(created.fields).toEqual({ cron: "is bad", "tasks.0.command": "must be one line" });
  });
});

describe("saveSchedule", () => {
  it("patches the schedule's own fields, then its tasks; a failure after a write says what is saved now", async () => {
    const start = schedule([task("a", 1, "one")]);
    const fake = fakeRoutes(start.tasks);
    const patched = { ...start, enabled: false };
    const values = { ...formValues(start), enabled: false, tasks: [...formValues(start).tasks, { ...blankTask(), command: "two" }] };
    const tooMany = new ApiError({ status: 409, code: "too_many_tasks", message: "A schedule holds at most 10 tasks." });
    const calls = { ...fake.routes, patch: () => Promise.resolve(patched), add: () => Promise.reject(tooMany) };
    const error = await saveSchedule(start, values, calls).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialSaveError);
    expect((error as PartialSaveError).schedule).toBe(patched);
    expect((error as PartialSaveError).cause).toBe(tooMany);

    const invalid = new ApiError({ status: 422, code: "validation", message: "Some fields are invalid.", fields: { cron: "is bad" } });
    const early = await saveSchedule(start, values, { ...calls, patch: () => Promise.reject(invalid) }).catch((e: unknown) => e);
    expect(early).toBe(invalid);

    const done = await saveSchedule(start, { ...values, enabled: true }, {
      ...fake.routes,
      patch: () => Promise.reject(new Error("nothing of its own changed")),
    });
    expect(fake.calls).toEqual(["add two"]);
    expect(done.tasks.map((t) => t.payload)).toEqual(["one", "two"]);
  });
});
