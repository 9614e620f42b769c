import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { Schedule } from "@/api/generated/Schedule";
import type { ScheduleRun } from "@/api/generated/ScheduleRun";
import { visibleTabs } from "@/features/game-servers/server-tabs";
import type { ServerDetailView } from "@/features/game-servers/schemas/server";
import { SchedulesTab } from "@/features/schedules/components/schedules-tab";
import { errorResponse, noContent, stubApi, type FakeRequest } from "@/test/fake-api";
import { jsonResponse } from "@/test/fetch";
import { renderWithProviders } from "@/test/render-app";

const BASE = "/api/orgs/acme/servers/srv1/schedules";

const DETAIL: ServerDetailView = {
  server: {
    id: "srv1",
    short_id: "srv1",
    name: "survival",
    description: "",
    node_id: "n1",
    node_name: "Frankfurt",
    egg_id: "egg",
    egg_name: "Paper",
    owner_id: null,
    owner_name: null,
    status: null,
    container_state: "running",
    state_at: null,
    limits: { memory: 1024, swap: 0, disk: 5120, io: 500, cpu: 100 },
    docker_image: "img",
    startup: "java",
    environment: {},
    allocation: { id: "a1", ip: "127.0.0.1", alias: null, port: 25565, is_default: true },
    created_at: "2026-12-01T10:00:00Z",
    updated_at: "2026-12-01T10:00:00Z",
    installed_at: "2026-12-01T10:00:00Z",
  },
  allocations: [],
  permissions: null,
};

const FAILED: ScheduleRun = {
  id: "r1",
  schedule_id: "s1",
  trigger: "cron",
  due_at: "2026-12-01T04:00:00Z",
  started_at: "2026-12-01T04:00:00Z",
  finished_at: "2026-12-01T04:00:01Z",
  status: "failed",
  reason: null,
  results: [
    { task_id: "t1", sequence: 1, action: "command", ok: true, at: "2026-12-01T04:00:00Z" },
    { task_id: "t2", sequence: 2, action: "power", ok: false, error: "the node could not be reached", at: "2026-12-01T04:00:01Z" },
  ],
};

const NIGHTLY: Schedule = {
  id: "s1",
  server_id: "srv1",
  name: "Nightly restart",
  cron: "0 4 * * *",
  description: "At 04:00",
  enabled: true,
  only_when_online: true,
  next_run_at: "2026-12-02T04:00:00Z",
  last_run: FAILED,
  tasks: [
    { id: "t1", sequence: 1, action: "command", payload: "say restarting", delay_seconds: 0, continue_on_failure: false },
    { id: "t2", sequence: 2, action: "power", payload: "restart", delay_seconds: 30, continue_on_failure: false },
  ],
  created_at: "2026-12-01T10:00:00Z",
  updated_at: "2026-12-01T10:00:00Z",
};

function renderTab(can: (permission: string) => boolean = () => true) {
  return renderWithProviders(<SchedulesTab org="acme" detail={DETAIL} role="owner" can={can} path={undefined} />);
}

describe("Schedules tab", () => {
  it("is a server tab for callers holding schedule.read", () => {
    expect(visibleTabs((p) => p === "schedule.read").map((t) => t.id)).toEqual(["schedules", "settings"]);
    expect(visibleTabs(() => false).map((t) => t.id)).not.toContain("schedules");
  });

  it("lists schedules with the cron's preview, state, next run and last outcome; runs one now and deletes one", { timeout: 30_000 }, async () => {
    let items = [NIGHTLY];
    const api = stubApi({
      [`GET ${BASE}`]: () => jsonResponse(200, { items }),
      [`POST ${BASE}/s1/run`]: () => jsonResponse(202, { ...FAILED, id: "r2", trigger: "manual", status: "running", finished_at: null, results: [] }),
      [`DELETE ${BASE}/s1`]: () => {
        items = [];
        return noContent();
      },
    });
    const { user } = renderTab();

    const table = await screen.findByRole("table", { name: "Schedules" });
    const row = within(table).getByText("Nightly restart").closest("tr") as HTMLElement;
    expect(row).toHaveTextContent("0 4 * * *");
    expect(row).toHaveTextContent("at 04:00 every day (UTC)");
    expect(row).toHaveTextContent("Enabled");
    expect(row).toHaveTextContent("Only when online");
    expect(within(row).getByText("Failed")).toBeInTheDocument();
    expect(row).toHaveTextContent("the node could not be reached");

    await user.click(within(row).getByRole("button", { name: "Run Nightly restart now" }));
    expect(await screen.findByText("Running Nightly restart")).toBeInTheDocument();
    expect(api.calls(`POST ${BASE}/s1/run`)).toHaveLength(1);

    await user.click(within(row).getByRole("button", { name: "Delete Nightly restart" }));
    await user.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Delete schedule" }));
    expect(await screen.findByText("Deleted Nightly restart")).toBeInTheDocument();
    expect(await screen.findByText("No schedules yet")).toBeInTheDocument();
    expect(api.calls(`DELETE ${BASE}/s1`)).toHaveLength(1);
  });

  it("shows a load failure with a retry", { timeout: 30_000 }, async () => {
    stubApi({ [`GET ${BASE}`]: () => errorResponse(500, "internal", "Flamingo could not answer.") });
    renderTab();
    expect(await screen.findByText("Could not load the schedules.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });

  it("creates a schedule with a preset, a live preview and tasks; the API's cron error shows on the field, focused", { timeout: 30_000 }, async () => {
    const posted: unknown[] = [];
    const api = stubApi({
      [`GET ${BASE}`]: { items: [] },
      [`POST ${BASE}`]: ({ body }: FakeRequest) => {
        posted.push(body);
        if ((body as { cron: string }).cron === "0 25 * * *")
          return errorResponse(422, "validation", "Some fields are invalid.", { cron: "hour 25 is out of range (0-23)" });
        return jsonResponse(201, { ...NIGHTLY, id: "s2", name: "Backup", last_run: null });
      },
      [`GET ${BASE}/s2`]: { schedule: { ...NIGHTLY, id: "s2", name: "Backup", last_run: null }, runs: [] },
    });
    const { user } = renderTab();
    expect(await screen.findByText("No schedules yet")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "New schedule" }));
    expect(screen.getByRole("heading", { name: "New schedule" })).toHaveFocus();

    await user.type(screen.getByLabelText("Name"), "Backup");
    await user.selectOptions(screen.getByLabelText("Preset"), "Every 6 hours");
    expect(screen.getByLabelText("Cron expression (UTC)")).toHaveValue("0 */6 * * *");
    expect(screen.getByText("Runs every 6 hours, on the hour (UTC).")).toBeInTheDocument();
    const cron = screen.getByLabelText("Cron expression (UTC)");
    await user.clear(cron);
    await user.type(cron, "0 25 * * *");

    await user.click(screen.getByRole("button", { name: "Add task" }));
    await user.type(screen.getByLabelText("Command"), "save-all");
    await user.click(screen.getByRole("button", { name: "Add task" }));
    const second = screen.getByRole("group", { name: "Task 2" });
    await user.selectOptions(within(second).getByLabelText("Action"), "Create a backup");
    await user.type(within(second).getByLabelText("Files to leave out (optional)"), "logs/");
    await user.clear(within(second).getByLabelText("Delay after the previous task (seconds)"));
    await user.type(within(second).getByLabelText("Delay after the previous task (seconds)"), "60");
    await user.click(within(second).getByLabelText("Continue with the next task if this one fails"));
    await user.click(screen.getByRole("button", { name: "Create schedule" }));

    expect(await screen.findByText("Hour 25 is out of range (0-23)")).toBeInTheDocument();
    expect(cron).toHaveFocus();
    expect(cron).toHaveAttribute("aria-invalid", "true");

    await user.clear(cron);
    await user.type(cron, "0 4 * * *");
    expect(screen.getByText("Runs at 04:00 every day (UTC).")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Create schedule" }));
    expect(await screen.findByText("Created Backup")).toBeInTheDocument();
    expect(await screen.findByRole("heading", { name: "Backup" })).toBeInTheDocument();
    expect(posted.at(-1)).toEqual({
      name: "Backup",
      cron: "0 4 * * *",
      enabled: true,
      only_when_online: false,
      tasks: [
        { action: "command", payload: "save-all", delay_seconds: 0, continue_on_failure: false },
        { action: "backup", payload: "logs/", delay_seconds: 60, continue_on_failure: true },
      ],
    });
    expect(api.calls(`POST ${BASE}`)).toHaveLength(2);
  });

  it("edits a schedule in one PATCH: its changed fields and its whole task list (one removed, one added); its runs shown", { timeout: 30_000 }, async () => {
    let current: Schedule = NIGHTLY;
    const api = stubApi({
      [`GET ${BASE}`]: () => jsonResponse(200, { items: [current] }),
      [`GET ${BASE}/s1`]: () => jsonResponse(200, { schedule: current, runs: [FAILED] }),
      [`PATCH ${BASE}/s1`]: ({ body }: FakeRequest) => {
        const { tasks, ...fields } = body as { tasks: (Omit<Schedule["tasks"][number], "id" | "sequence"> & { id?: string })[] };
        current = {
          ...current,
          ...(fields as Partial<Schedule>),
          tasks: tasks.map((t, i) => ({ ...t, id: t.id ?? "t3", sequence: i + 1 })),
          updated_at: "2026-12-01T11:00:00Z",
        };
        return jsonResponse(200, current);
      },
    });
    const { user } = renderTab();
    await user.click(await screen.findByRole("button", { name: "Edit Nightly restart" }));
    expect(await screen.findByRole("heading", { name: "Nightly restart" })).toHaveFocus();

    const runs = screen.getByRole("table", { name: "Recent runs of Nightly restart" });
    expect(runs).toHaveTextContent("Send “say restarting”: Done");
    expect(runs).toHaveTextContent("Restart the server: Failed: the node could not be reached");

    await user.click(screen.getByLabelText("Only when the server is online"));
    await user.click(screen.getByRole("button", { name: "Remove task 1" }));
    await user.click(screen.getByRole("button", { name: "Add task" }));
    await user.selectOptions(within(screen.getByRole("group", { name: "Task 2" })).getByLabelText("Action"), "Create a backup");
    await user.click(screen.getByRole("button", { name: "Save schedule" }));

    expect(await screen.findByText("Saved Nightly restart")).toBeInTheDocument();
    expect(api.calls(`PATCH ${BASE}/s1`).map((r) => r.body)).toEqual([
      {
        only_when_online: false,
        tasks: [
          { id: "t2", action: "power", payload: "restart", delay_seconds: 30, continue_on_failure: false },
          { action: "backup", payload: "", delay_seconds: 0, continue_on_failure: false },
        ],
      },
    ]);
    await vi.waitFor(() => {
      expect(screen.getByRole("group", { name: "Task 2" })).toBeInTheDocument();
    });
    expect(current.tasks.map((t) => t.action)).toEqual(["power", "backup"]);
  });

  it("reorders tasks with the move buttons: the one PATCH lists them in the new order", { timeout: 30_000 }, async () => {
    let current: Schedule = NIGHTLY;
    const api = stubApi({
      [`GET ${BASE}`]: () => jsonResponse(200, { items: [current] }),
      [`GET ${BASE}/s1`]: () => jsonResponse(200, { schedule: current, runs: [] }),
      [`PATCH ${BASE}/s1`]: () => {
        current = {
          ...current,
          tasks: [
            { ...NIGHTLY.tasks[1], sequence: 1 },
            { ...NIGHTLY.tasks[0], sequence: 2 },
          ] as Schedule["tasks"],
        };
        return jsonResponse(200, current);
      },
    });
    const { user } = renderTab();
    await user.click(await screen.findByRole("button", { name: "Edit Nightly restart" }));
    const first = await screen.findByRole("group", { name: "Task 1" });
    expect(within(first).getByRole("button", { name: "Move task 1 up" })).toBeDisabled();
    await user.click(within(first).getByRole("button", { name: "Move task 1 down" }));
    expect(within(screen.getByRole("group", { name: "Task 1" })).getByLabelText("Action")).toHaveValue("power");
    await user.click(screen.getByRole("button", { name: "Save schedule" }));
    // (The toast store outlives a test, so the previous test's "Saved" toast may still be up.)
    await vi.waitFor(() => {
      expect(api.calls(`PATCH ${BASE}/s1`).map((r) => (r.body as { tasks: { id?: string }[] }).tasks.map((t) => t.id))).toEqual([["t2", "t1"]]);
    });
    expect(await screen.findByRole("button", { name: "Save schedule" })).toBeEnabled();
  });

  it("shows the API's refusal of one task under that task and keeps what was typed", { timeout: 30_000 }, async () => {
    stubApi({
      [`GET ${BASE}`]: { items: [NIGHTLY] },
      [`GET ${BASE}/s1`]: { schedule: NIGHTLY, runs: [] },
      [`PATCH ${BASE}/s1`]: () =>
        errorResponse(422, "validation", "Some fields are invalid.", { "tasks.0.payload": "must be one console line of at most 2000 characters" }),
    });
    const { user } = renderTab();
    await user.click(await screen.findByRole("button", { name: "Edit Nightly restart" }));
    const name = await screen.findByLabelText("Name");
    await user.clear(name);
    await user.type(name, "Renamed");
    await user.click(screen.getByRole("button", { name: "Save schedule" }));
    const task = screen.getByRole("group", { name: "Task 1" });
    expect(await within(task).findByText("Must be one console line of at most 2000 characters")).toBeInTheDocument();
    expect(screen.getByLabelText("Name")).toHaveValue("Renamed");
  });

  it("shows a schedule read-only to a caller who may only read", { timeout: 30_000 }, async () => {
    stubApi({
      [`GET ${BASE}`]: { items: [NIGHTLY] },
      [`GET ${BASE}/s1`]: { schedule: NIGHTLY, runs: [] },
    });
    const { user } = renderTab((p) => p === "schedule.read");
    expect(screen.queryByRole("button", { name: "New schedule" })).not.toBeInTheDocument();
    await user.click(await screen.findByRole("button", { name: "Show Nightly restart" }));
    expect(await screen.findByText("Restart the server, 30 s after the previous")).toBeInTheDocument();
    expect(screen.getByText("It has not run yet.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Run now" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Save schedule" })).not.toBeInTheDocument();
  });
});
