import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import type { Schedule } from "@/api/generated/Schedule";
import { gameServerKeys, serverPath } from "@/features/game-servers/api/servers";
import {
  runSchema,
  scheduleDetailSchema,
  scheduleListSchema,
  scheduleSchema,
  toNewSchedule,
  toScheduleChange,
  type ScheduleFormValues,
} from "@/features/schedules/schemas/schedule";
import { runOutcome } from "@/features/schedules/utils/run-outcome";
import { api } from "@/lib/api-client";
import { notifyError, notifySuccess } from "@/lib/notify";

/** Query keys: under the server's, so its `server.*` events refresh them too. */
export const scheduleKeys = {
  all: (org: string, server: string) => [...gameServerKeys.detail(org, server), "schedules"] as const,
  detail: (org: string, server: string, schedule: string) =>
    [...gameServerKeys.detail(org, server), "schedules", schedule] as const,
};

function path(org: string, server: string, tail = ""): string {
  return serverPath(org, server, `/schedules${tail}`);
}

function one(schedule: string, tail = ""): string {
  return `/${encodeURIComponent(schedule)}${tail}`;
}

export function useSchedules(org: string, server: string) {
  return useQuery({
    queryKey: scheduleKeys.all(org, server),
    queryFn: ({ signal }) => api.get(path(org, server), scheduleListSchema, signal),
    // A run under way ends on the server's timer: asked again until none is running.
    refetchInterval: (query) => (query.state.data?.items.some((s) => s.last_run?.status === "running") ? 3000 : false),
  });
}

/** One schedule and its newest runs; asked again while a run is under way. */
export function useSchedule(org: string, server: string, schedule: string) {
  return useQuery({
    queryKey: scheduleKeys.detail(org, server, schedule),
    queryFn: ({ signal }) => api.get(path(org, server, one(schedule)), scheduleDetailSchema, signal),
    refetchInterval: (query) => (query.state.data?.runs.some((r) => r.status === "running") ? 3000 : false),
  });
}

/** `POST …/schedules` with its tasks, in one request. Errors are the form's to show. */
export function useCreateSchedule(org: string, server: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (values: ScheduleFormValues) => api.post(path(org, server), toNewSchedule(values), scheduleSchema),
    onSuccess: (s) => {
      notifySuccess(`Created ${s.name}`, s.next_run_at ? `It runs ${s.description}.` : undefined);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: scheduleKeys.all(org, server) }),
  });
}

/**
 * Saves the editor in one `PATCH …/schedules/{schedule}`: the fields that
 * changed and the whole task list, all saved or (on any error) none.
 */
export function useSaveSchedule(org: string, server: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ schedule, values }: { schedule: Schedule; values: ScheduleFormValues }) =>
      api.patch(path(org, server, one(schedule.id)), toScheduleChange(values, schedule), scheduleSchema),
    onSuccess: (s) => {
      notifySuccess(`Saved ${s.name}`);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: scheduleKeys.all(org, server) }),
  });
}

/** `POST …/run`: runs it now; the toast says how its first tasks went. */
export function useRunSchedule(org: string, server: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (schedule: Schedule) => api.post(path(org, server, one(schedule.id, "/run")), undefined, runSchema),
    onSuccess: (run, schedule) => {
      if (run.status === "failed" || run.status === "missed") notifyError(`${schedule.name} did not run`, new Error(runOutcome(run)));
      else if (run.status === "skipped") notifySuccess(`${schedule.name} was skipped`, runOutcome(run));
      else notifySuccess(`Running ${schedule.name}`, run.status === "completed" ? "Its tasks are done." : "Later tasks follow their delays.");
    },
    onError: (error, schedule) => {
      notifyError(`Could not run ${schedule.name}`, error);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: scheduleKeys.all(org, server) }),
  });
}

/** `DELETE …/schedules/{schedule}`: with its tasks and runs. */
export function useDeleteSchedule(org: string, server: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (schedule: Schedule) => api.delete(path(org, server, one(schedule.id)), z.undefined()),
    onSuccess: (_, schedule) => {
      notifySuccess(`Deleted ${schedule.name}`);
    },
    onError: (error, schedule) => {
      notifyError(`Could not delete ${schedule.name}`, error);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: scheduleKeys.all(org, server) }),
  });
}
