import { ArrowLeft, CalendarClock, Eye, Pencil, Play, Plus } from "lucide-react";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";

import type { Schedule } from "@/api/generated/Schedule";
import { ConfirmIconButton } from "@/components/confirm-dialog";
import { DataTable, type DataColumn } from "@/components/data-table";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { ServerTabProps } from "@/features/game-servers/server-tabs";
import { useDeleteSchedule, useRunSchedule, useSchedule, useSchedules } from "@/features/schedules/api/schedules";
import { ScheduleForm } from "@/features/schedules/components/schedule-form";
import { RunOutcome, ScheduleRuns } from "@/features/schedules/components/schedule-runs";
import { describeTask } from "@/features/schedules/schemas/schedule";
import { describeCron } from "@/features/schedules/utils/describe-cron";
import { formatDateTime } from "@/lib/format";

type View = { kind: "list" } | { kind: "new" } | { kind: "schedule"; id: string };

/** A view's heading, focused when the view opens so keyboard and screen-reader users land on it. */
function ViewHeading({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h3 ref={ref} tabIndex={-1} className="text-lg font-semibold outline-none">
      {children}
    </h3>
  );
}

function preview(s: Schedule): string {
  return describeCron(s.cron) ?? s.description;
}

const COLUMNS: readonly DataColumn<Schedule>[] = [
  {
    id: "name",
    header: "Name",
    cell: (s) => (
      <>
        <div className="font-medium">{s.name}</div>
        <div className="text-xs font-normal text-muted-foreground">
          <code className="font-mono">{s.cron}</code> · {preview(s)}
        </div>
      </>
    ),
  },
  {
    id: "state",
    header: "State",
    cell: (s) => (
      <span className="flex flex-wrap gap-1">
        <Badge variant={s.enabled ? "secondary" : "outline"}>{s.enabled ? "Enabled" : "Disabled"}</Badge>
        {s.only_when_online ? <Badge variant="outline">Only when online</Badge> : null}
      </span>
    ),
  },
  {
    id: "next",
    header: "Next run",
    hideBelow: "3xl",
    cell: (s) =>
      s.next_run_at ? (
        <time dateTime={s.next_run_at}>{formatDateTime(s.next_run_at)}</time>
      ) : (
        <span className="text-muted-foreground">{s.enabled ? "—" : "Not while disabled"}</span>
      ),
  },
  {
    id: "last",
    header: "Last run",
    cell: (s) =>
      s.last_run ? (
        <span className="grid gap-1">
          <time dateTime={s.last_run.started_at} className="text-xs text-muted-foreground">
            {formatDateTime(s.last_run.started_at)}
          </time>
          <RunOutcome run={s.last_run} />
        </span>
      ) : (
        <span className="text-muted-foreground">Never</span>
      ),
  },
];

function RunButton({ org, server, schedule, label }: { org: string; server: string; schedule: Schedule; label?: string }) {
  const run = useRunSchedule(org, server);
  const busy = run.isPending;
  return (
    <Button
      variant={label ? "outline" : "ghost"}
      size={label ? "default" : "icon"}
      aria-label={label ? undefined : `Run ${schedule.name} now`}
      disabled={busy}
      onClick={() => {
        run.mutate(schedule);
      }}
    >
      <Play aria-hidden="true" />
      {label ? (busy ? "Running…" : label) : null}
    </Button>
  );
}

function DeleteButton({ org, server, schedule, onDeleted }: { org: string; server: string; schedule: Schedule; onDeleted?: () => void }) {
  const remove = useDeleteSchedule(org, server);
  return (
    <ConfirmIconButton
      title={`Delete ${schedule.name}?`}
      description="The schedule, its tasks and its runs are deleted; it will not run again."
      confirmLabel="Delete schedule"
      label={`Delete ${schedule.name}`}
      disabled={remove.isPending}
      onConfirm={() => {
        remove.mutate(schedule, { onSuccess: onDeleted });
      }}
    />
  );
}

/** One schedule: run now, delete, edit (or read) it, and its recent runs. */
function ScheduleView({ org, server, id, can, onBack }: { org: string; server: string; id: string; can: ServerTabProps["can"]; onBack: () => void }) {
  const detail = useSchedule(org, server, id);
  const runsTitle = useId();
  const back = (
    <Button variant="ghost" className="justify-self-start" onClick={onBack}>
      <ArrowLeft aria-hidden="true" />
      All schedules
    </Button>
  );
  if (detail.isPending) return <div className="grid gap-4">{back}<ListSkeleton label="Loading the schedule…" /></div>;
  if (detail.isError)
    return (
      <div className="grid gap-4">
        {back}
        <ErrorState title="Could not load the schedule." error={detail.error} onRetry={() => void detail.refetch()} />
      </div>
    );
  const { schedule, runs } = detail.data;
  return (
    <div className="grid gap-6">
      {back}
      <div className="flex flex-wrap items-center justify-between gap-2">
        <ViewHeading>{schedule.name}</ViewHeading>
        <div className="flex items-center gap-1">
          {can("schedule.update") ? <RunButton org={org} server={server} schedule={schedule} label="Run now" /> : null}
          {can("schedule.delete") ? <DeleteButton org={org} server={server} schedule={schedule} onDeleted={onBack} /> : null}
        </div>
      </div>
      <p className="text-sm text-muted-foreground">
        {schedule.next_run_at ? <>Next run {formatDateTime(schedule.next_run_at)}.</> : schedule.enabled ? null : "Disabled: it runs only when run now."}
      </p>
      {can("schedule.update") ? (
        <ScheduleForm org={org} server={server} schedule={schedule} onDone={() => void detail.refetch()} />
      ) : (
        <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1 text-sm">
          <dt className="text-muted-foreground">When</dt>
          <dd>
            <code className="font-mono">{schedule.cron}</code> · {preview(schedule)}
          </dd>
          <dt className="text-muted-foreground">State</dt>
          <dd>
            {schedule.enabled ? "Enabled" : "Disabled"}
            {schedule.only_when_online ? ", only when the server is online" : ""}
          </dd>
          <dt className="text-muted-foreground">Tasks</dt>
          <dd>
            {schedule.tasks.length === 0 ? (
              "None"
            ) : (
              <ol className="list-decimal pl-5">
                {schedule.tasks.map((t) => (
                  <li key={t.id}>
                    {describeTask(t)}
                    {t.delay_seconds > 0 ? `, ${String(t.delay_seconds)} s after the previous` : ""}
                    {t.continue_on_failure ? ", continues on failure" : ""}
                  </li>
                ))}
              </ol>
            )}
          </dd>
        </dl>
      )}
      <section aria-labelledby={runsTitle} className="grid gap-3">
        <h4 id={runsTitle} className="font-medium">
          Recent runs
        </h4>
        <ScheduleRuns schedule={schedule} runs={runs} />
      </section>
    </div>
  );
}

/** The Schedules tab: the server's schedules, their next and last runs; create, edit, run now, delete; recent runs. */
export function SchedulesTab({ org, detail, can }: ServerTabProps) {
  const server = detail.server.id;
  const schedules = useSchedules(org, server);
  const [view, setView] = useState<View>({ kind: "list" });
  const list = () => {
    setView({ kind: "list" });
  };

  let body: ReactNode;
  if (view.kind === "new") {
    body = (
      <div className="grid gap-4">
        <ViewHeading>New schedule</ViewHeading>
        <ScheduleForm
          org={org}
          server={server}
          onDone={(s) => {
            setView({ kind: "schedule", id: s.id });
          }}
          onCancel={list}
        />
      </div>
    );
  } else if (view.kind === "schedule") {
    body = <ScheduleView org={org} server={server} id={view.id} can={can} onBack={list} />;
  } else if (schedules.isPending) {
    body = <ListSkeleton label="Loading schedules…" />;
  } else if (schedules.isError) {
    body = <ErrorState title="Could not load the schedules." error={schedules.error} onRetry={() => void schedules.refetch()} />;
  } else if (schedules.data.items.length === 0) {
    body = (
      <EmptyState icon={CalendarClock} title="No schedules yet">
        {can("schedule.create") ? "Create one to run commands, power actions or backups on a timer." : "Nobody has set one up yet."}
      </EmptyState>
    );
  } else {
    body = (
      <DataTable
        label="Schedules"
        columns={COLUMNS}
        rows={schedules.data.items}
        rowKey={(s) => s.id}
        actions={(s) => (
          <>
            <Button
              variant="ghost"
              size="icon"
              aria-label={can("schedule.update") ? `Edit ${s.name}` : `Show ${s.name}`}
              onClick={() => {
                setView({ kind: "schedule", id: s.id });
              }}
            >
              {can("schedule.update") ? <Pencil aria-hidden="true" /> : <Eye aria-hidden="true" />}
            </Button>
            {can("schedule.update") ? <RunButton org={org} server={server} schedule={s} /> : null}
            {can("schedule.delete") ? <DeleteButton org={org} server={server} schedule={s} /> : null}
          </>
        )}
      />
    );
  }

  return (
    <Card>
      <CardHeader className="flex flex-wrap items-start justify-between gap-2">
        <div className="grid gap-1.5">
          <CardTitle role="heading" aria-level={2}>
            Schedules
          </CardTitle>
          <CardDescription>Tasks that run on a timer (UTC), whether or not anyone has the panel open.</CardDescription>
        </div>
        {view.kind === "list" && can("schedule.create") ? (
          <Button
            onClick={() => {
              setView({ kind: "new" });
            }}
          >
            <Plus aria-hidden="true" />
            New schedule
          </Button>
        ) : null}
      </CardHeader>
      <CardContent className="grid gap-4">{body}</CardContent>
    </Card>
  );
}
