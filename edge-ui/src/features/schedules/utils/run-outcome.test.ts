import { describe, expect, it } from "vitest";

import type { ScheduleRun } from "@/api/generated/ScheduleRun";
import { runOutcome, runWentWrong, taskResultOutcome } from "@/features/schedules/utils/run-outcome";

function run(overrides: Partial<ScheduleRun>): ScheduleRun {
  return {
    id: "r1",
    schedule_id: "s1",
    trigger: "cron",
    due_at: "2026-12-01T04:00:00Z",
    started_at: "2026-12-01T04:00:01Z",
    finished_at: "2026-12-01T04:00:02Z",
    status: "completed",
    reason: null,
    results: [],
    ...overrides,
  };
}

describe("run outcome", () => {
  it("says how a run went, with the reason when it did not complete", () => {
    expect(runOutcome(run({}))).toBe("Completed");
    expect(runOutcome(run({ status: "running", finished_at: null }))).toBe("Running");
    expect(runOutcome(run({ status: "skipped", reason: "the server was offline" }))).toBe("Skipped: the server was offline");
    expect(runOutcome(run({ status: "missed", reason: "Flamingo took it up 3 minutes late; 2 runs passed" }))).toBe(
      "Missed: Flamingo took it up 3 minutes late; 2 runs passed",
    );
    expect(runOutcome(run({ status: "missed" }))).toBe("Missed");
  });

  it("gives a failed run the first failing task's reason when the run has none", () => {
    const results = [
      { task_id: "t1", sequence: 1, action: "command", ok: true, at: "2026-12-01T04:00:01Z" },
      { task_id: "t2", sequence: 2, action: "power", ok: false, error: "the node could not be reached", at: "2026-12-01T04:00:02Z" },
    ];
    expect(runOutcome(run({ status: "failed", results }))).toBe("Failed: the node could not be reached");
    expect(runOutcome(run({ status: "failed", reason: "the server is suspended", results }))).toBe("Failed: the server is suspended");
    expect(runWentWrong(run({ status: "failed" }))).toBe(true);
    expect(runWentWrong(run({ status: "skipped" }))).toBe(false);
    expect(results.map(taskResultOutcome)).toEqual(["Done", "Failed: the node could not be reached"]);
  });
});
