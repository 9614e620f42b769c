import type { Schedule } from "@/api/generated/Schedule";
import type { ScheduleRun } from "@/api/generated/ScheduleRun";
import { DataTable, type DataColumn } from "@/components/data-table";
import { Badge } from "@/components/ui/badge";
import { describeTask } from "@/features/schedules/schemas/schedule";
import { RUN_STATUS, runOutcome, runWentWrong, taskResultOutcome } from "@/features/schedules/utils/run-outcome";
import { formatDateTime } from "@/lib/format";

/** A run's status badge and its sentence. */
export function RunOutcome({ run }: { run: ScheduleRun }) {
  const sentence = runOutcome(run);
  const word = RUN_STATUS[run.status];
  return (
    <span className="grid gap-1">
      <span>
        <Badge variant={runWentWrong(run) ? "destructive" : run.status === "completed" ? "secondary" : "outline"}>{word}</Badge>
      </span>
      {sentence !== word ? <span className="text-xs text-muted-foreground">{sentence.slice(word.length + 2)}</span> : null}
    </span>
  );
}

function columns(schedule: Schedule): DataColumn<ScheduleRun>[] {
  return [
    {
      id: "started",
      header: "Started",
      cell: (r) => (
        <>
          <time dateTime={r.started_at} className="font-medium">
            {formatDateTime(r.started_at)}
          </time>
          <div className="text-xs text-muted-foreground">{r.trigger === "manual" ? "Run now" : "On schedule"}</div>
        </>
      ),
    },
    { id: "outcome", header: "Outcome", cell: (r) => <RunOutcome run={r} /> },
    {
      id: "tasks",
      header: "Tasks",
      cell: (r) =>
        r.results.length === 0 ? (
          <span className="text-muted-foreground">None ran</span>
        ) : (
          <ol className="grid gap-1">
            {r.results.map((result) => {
              const task = schedule.tasks.find((t) => t.id === result.task_id);
              return (
                <li key={`${result.task_id}-${String(result.sequence)}`}>
                  <span className="text-muted-foreground">{String(result.sequence)}. </span>
                  {task ? describeTask(task) : result.action}:{" "}
                  <span className={result.ok ? undefined : "text-red-700 dark:text-destructive"}>{taskResultOutcome(result)}</span>
                </li>
              );
            })}
          </ol>
        ),
    },
  ];
}

/** A schedule's newest runs, each with its tasks' results. */
export function ScheduleRuns({ schedule, runs }: { schedule: Schedule; runs: readonly ScheduleRun[] }) {
  if (runs.length === 0) return <p className="text-sm text-muted-foreground">It has not run yet.</p>;
  return (
    <DataTable
      label={`Recent runs of ${schedule.name}`}
      columns={columns(schedule)}
      rows={runs}
      rowKey={(r) => r.id}
      caption={runs.some((r) => r.status === "running") ? "Updating while a run is under way…" : undefined}
    />
  );
}
