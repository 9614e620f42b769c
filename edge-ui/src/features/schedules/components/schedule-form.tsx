import { zodResolver } from "@hookform/resolvers/zod";
import { ArrowDown, ArrowUp, Plus, Trash2 } from "lucide-react";
import { useId } from "react";
import { useFieldArray, useForm, useWatch, type Control, type Path } from "react-hook-form";

import type { Schedule } from "@/api/generated/Schedule";
import { FormRootError, TextField } from "@/components/text-field";
import { Button } from "@/components/ui/button";
import { Form, FormControl, FormDescription, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { NativeSelect } from "@/features/nodes/components/native-select";
import { useCreateSchedule, useSaveSchedule } from "@/features/schedules/api/schedules";
import {
  blankTask,
  formValues,
  MAX_DELAY_SECONDS,
  MAX_TASKS,
  POWER_SIGNALS,
  scheduleFormSchema,
  type ScheduleFormValues,
} from "@/features/schedules/schemas/schedule";
import { CRON_PRESETS, describeCron } from "@/features/schedules/utils/describe-cron";
import { asEditorError } from "@/features/schedules/utils/editor-error";
import { showFormError } from "@/lib/form-errors";

const ACTIONS = [
  { value: "command", label: "Send a command" },
  { value: "power", label: "Power action" },
  { value: "backup", label: "Create a backup" },
] as const;

const SIGNALS: Record<(typeof POWER_SIGNALS)[number], string> = {
  start: "Start",
  stop: "Stop",
  restart: "Restart",
  kill: "Kill",
};

type TaskKey = "action" | "command" | "signal" | "ignored" | "delay_seconds" | "continue_on_failure";

/** The form path of the `index`th task's `key`. */
function taskField<K extends TaskKey>(index: number, key: K): `tasks.${number}.${K}` {
  return `tasks.${String(index)}.${key}` as `tasks.${number}.${K}`;
}

/** Every field the server may name, for `showFormError`. */
function fieldNames(values: ScheduleFormValues): Path<ScheduleFormValues>[] {
  return [
    "name",
    "cron",
    "enabled",
    "only_when_online",
    "tasks",
    ...values.tasks.flatMap((_, i) =>
      (["command", "signal", "ignored", "delay_seconds", "continue_on_failure"] as const).map(
        (f) => taskField(i, f),
      ),
    ),
  ];
}

function Checkbox({ control, name, label, description }: { control: Control<ScheduleFormValues>; name: Path<ScheduleFormValues>; label: string; description?: string }) {
  return (
    <FormField
      control={control}
      name={name}
      render={({ field }) => (
        <FormItem>
          <div className="flex items-center gap-2">
            <FormControl>
              <input
                type="checkbox"
                className="size-4 accent-primary"
                ref={field.ref}
                name={field.name}
                checked={field.value === true}
                onBlur={field.onBlur}
                onChange={(e) => {
                  field.onChange(e.target.checked);
                }}
              />
            </FormControl>
            <FormLabel className="font-normal">{label}</FormLabel>
          </div>
          {description ? <FormDescription>{description}</FormDescription> : null}
          <FormMessage />
        </FormItem>
      )}
    />
  );
}

function CronField({ control, onPreset }: { control: Control<ScheduleFormValues>; onPreset: (cron: string) => void }) {
  const cron = useWatch({ control, name: "cron" });
  const preview = describeCron(cron);
  const presetId = useId();
  return (
    <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
      <FormField
        control={control}
        name="cron"
        render={({ field }) => (
          <FormItem>
            <FormLabel>Cron expression (UTC)</FormLabel>
            <FormControl>
              <Input {...field} className="font-mono" autoComplete="off" spellCheck={false} placeholder="0 4 * * *" />
            </FormControl>
            <FormDescription aria-live="polite">
              {preview ? `Runs ${preview}.` : "Five fields: minute hour day-of-month month day-of-week."}
            </FormDescription>
            <FormMessage />
          </FormItem>
        )}
      />
      <div className="grid content-start gap-2">
        <label htmlFor={presetId} className="text-sm font-medium">
          Preset
        </label>
        <NativeSelect
          id={presetId}
          value={CRON_PRESETS.find((p) => p.cron === cron.trim())?.cron ?? ""}
          onChange={(e) => {
            if (e.target.value) onPreset(e.target.value);
          }}
        >
          <option value="">Custom</option>
          {CRON_PRESETS.map((p) => (
            <option key={p.cron} value={p.cron}>
              {p.label}
            </option>
          ))}
        </NativeSelect>
      </div>
    </div>
  );
}

function TaskFields({
  control,
  index,
  count,
  onMove,
  onRemove,
}: {
  control: Control<ScheduleFormValues>;
  index: number;
  count: number;
  onMove: (to: number) => void;
  onRemove: () => void;
}) {
  const action = useWatch({ control, name: taskField(index, "action") });
  const n = String(index + 1);
  return (
    <fieldset className="grid gap-3 rounded-md border p-3">
      <legend className="px-1 text-sm font-medium">Task {n}</legend>
      <div className="flex flex-wrap justify-end gap-1">
        <Button type="button" variant="ghost" size="icon" aria-label={`Move task ${n} up`} disabled={index === 0} onClick={() => { onMove(index - 1); }}>
          <ArrowUp aria-hidden="true" />
        </Button>
        <Button type="button" variant="ghost" size="icon" aria-label={`Move task ${n} down`} disabled={index === count - 1} onClick={() => { onMove(index + 1); }}>
          <ArrowDown aria-hidden="true" />
        </Button>
        <Button type="button" variant="ghost" size="icon" aria-label={`Remove task ${n}`} onClick={onRemove}>
          <Trash2 aria-hidden="true" />
        </Button>
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <FormField
          control={control}
          name={taskField(index, "action")}
          render={({ field }) => (
            <FormItem>
              <FormLabel>Action</FormLabel>
              <FormControl>
                <NativeSelect {...field}>
                  {ACTIONS.map((a) => (
                    <option key={a.value} value={a.value}>
                      {a.label}
                    </option>
                  ))}
                </NativeSelect>
              </FormControl>
              <FormMessage />
            </FormItem>
          )}
        />
        <FormField
          control={control}
          name={taskField(index, "delay_seconds")}
          render={({ field }) => (
            <FormItem>
              <FormLabel>Delay after the previous task (seconds)</FormLabel>
              <FormControl>
                <Input
                  type="number"
                  min={0}
                  max={MAX_DELAY_SECONDS}
                  step={1}
                  ref={field.ref}
                  name={field.name}
                  onBlur={field.onBlur}
                  value={Number.isNaN(field.value) ? "" : field.value}
                  onChange={(e) => {
                    field.onChange(e.target.value === "" ? Number.NaN : Number(e.target.value));
                  }}
                />
              </FormControl>
              <FormDescription>0 to {String(MAX_DELAY_SECONDS)}.</FormDescription>
              <FormMessage />
            </FormItem>
          )}
        />
      </div>
      {action === "command" ? (
        <TextField control={control} name={taskField(index, "command")} label="Command" className="font-mono" autoComplete="off" spellCheck={false} />
      ) : action === "power" ? (
        <FormField
          control={control}
          name={taskField(index, "signal")}
          render={({ field }) => (
            <FormItem>
              <FormLabel>Power action</FormLabel>
              <FormControl>
                <NativeSelect {...field}>
                  {POWER_SIGNALS.map((s) => (
                    <option key={s} value={s}>
                      {SIGNALS[s]}
                    </option>
                  ))}
                </NativeSelect>
              </FormControl>
              <FormMessage />
            </FormItem>
          )}
        />
      ) : (
        <FormField
          control={control}
          name={taskField(index, "ignored")}
          render={({ field }) => (
            <FormItem>
              <FormLabel>Files to leave out (optional)</FormLabel>
              <FormControl>
                <Textarea {...field} className="font-mono text-xs" placeholder={"logs/\n*.tmp"} />
              </FormControl>
              <FormDescription>One path or pattern per line, as in .gitignore.</FormDescription>
              <FormMessage />
            </FormItem>
          )}
        />
      )}
      <Checkbox control={control} name={taskField(index, "continue_on_failure")} label="Continue with the next task if this one fails" />
    </fieldset>
  );
}

/**
 * The schedule editor: name, cron with presets and its preview, enabled,
 * only when online, and the ordered tasks. A new schedule is one
 * `POST …/schedules`; an existing one one `PATCH` with its whole task list.
 */
export function ScheduleForm({
  org,
  server,
  schedule,
  onDone,
  onCancel,
}: {
  org: string;
  server: string;
  schedule?: Schedule;
  onDone: (schedule: Schedule) => void;
  onCancel?: () => void;
}) {
  const create = useCreateSchedule(org, server);
  const save = useSaveSchedule(org, server);
  const form = useForm<ScheduleFormValues>({ resolver: zodResolver(scheduleFormSchema), defaultValues: formValues(schedule) });
  const tasks = useFieldArray({ control: form.control, name: "tasks" });
  const pending = create.isPending || save.isPending;
  const tasksTitle = useId();

  function onSubmit(values: ScheduleFormValues) {
    // One request either way, saved whole or not at all: the form keeps what was typed.
    const onError = (error: unknown) => {
      showFormError(form, asEditorError(error, values.tasks), fieldNames(values));
    };
    if (schedule) {
      save.mutate(
        { schedule, values },
        {
          onSuccess: (done) => {
            form.reset(formValues(done));
            onDone(done);
          },
          onError,
        },
      );
    } else {
      create.mutate(values, { onSuccess: onDone, onError });
    }
  }

  return (
    <Form {...form}>
      <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} aria-label={schedule ? `Edit ${schedule.name}` : "New schedule"} className="grid gap-4">
        <FormRootError />
        <TextField control={form.control} name="name" label="Name" autoComplete="off" />
        <CronField
          control={form.control}
          onPreset={(cron) => {
            form.setValue("cron", cron, { shouldValidate: true, shouldDirty: true });
          }}
        />
        <div className="grid gap-3 sm:grid-cols-2">
          <Checkbox control={form.control} name="enabled" label="Enabled" description="Runs on its own at the times above." />
          <Checkbox control={form.control} name="only_when_online" label="Only when the server is online" description="Otherwise the run is skipped, saying so." />
        </div>
        <section aria-labelledby={tasksTitle} className="grid gap-3">
          <h4 id={tasksTitle} className="font-medium">
            Tasks
          </h4>
          <p className="text-sm text-muted-foreground">
            {tasks.fields.length === 0
              ? "No tasks yet: a run does nothing until you add one."
              : "They run in this order, each after its delay."}
          </p>
          {tasks.fields.map((field, index) => (
            <TaskFields
              key={field.id}
              control={form.control}
              index={index}
              count={tasks.fields.length}
              onMove={(to) => {
                tasks.move(index, to);
              }}
              onRemove={() => {
                tasks.remove(index);
              }}
            />
          ))}
          <FormMessageFor name="tasks" control={form.control} />
          <div>
            <Button
              type="button"
              variant="outline"
              disabled={tasks.fields.length >= MAX_TASKS}
              onClick={() => {
                tasks.append(blankTask());
              }}
            >
              <Plus aria-hidden="true" />
              Add task
            </Button>
          </div>
        </section>
        <div className="flex gap-2">
          <Button type="submit" disabled={pending}>
            {pending ? "Saving…" : schedule ? "Save schedule" : "Create schedule"}
          </Button>
          {onCancel ? (
            <Button type="button" variant="outline" onClick={onCancel}>
              Cancel
            </Button>
          ) : null}
        </div>
      </form>
    </Form>
  );
}

/** The task list's own error (e.g. too many tasks). */
function FormMessageFor({ name, control }: { name: "tasks"; control: Control<ScheduleFormValues> }) {
  return (
    <FormField
      control={control}
      name={name}
      render={({ fieldState }) =>
        fieldState.error?.message ?? fieldState.error?.root?.message ? (
          <p role="alert" className="text-sm text-red-700 dark:text-destructive">
            {fieldState.error.message ?? fieldState.error.root?.message}
          </p>
        ) : (
          <></>
        )
      }
    />
  );
}
