import { Link, useNavigate } from "@tanstack/react-router";
import { Check } from "lucide-react";
import { useEffect, useMemo, useRef, useState, type SyntheticEvent } from "react";

import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { useEgg, useEggs } from "@/features/eggs/api/eggs";
import { sortedVariables, type EggVariableRow } from "@/features/eggs/schemas/egg";
import { choicesOf } from "@/features/eggs/utils/rules";
import { wingsErrorMessage } from "@/features/game-servers/lib/wings-errors";
import { checkAvailability, useCreateServer } from "@/features/new-server/api/create-server";
import { Field } from "@/features/new-server/components/field";
import {
  INITIAL_VALUES,
  STEPS,
  STEP_TITLES,
  stepOfField,
  stepProblems,
  toNewServer,
  valueOf,
  variableProblem,
  type Problems,
  type Step,
  type WizardValues,
} from "@/features/new-server/schemas/wizard";
import { useAllocations, useNodes } from "@/features/nodes/api/nodes";
import { NativeSelect } from "@/features/nodes/components/native-select";
import { NodeStatus } from "@/features/nodes/components/node-status";
import { ApiError } from "@/lib/api-client";
import { formatCount } from "@/lib/format";
import { cn } from "@/lib/utils";
import { Building2, HardDrive } from "lucide-react";

type StepProps = {
  org: string;
  values: WizardValues;
  set: (patch: Partial<WizardValues>) => void;
  problems: Problems;
};

function NodeStep({ org, values, set, problems }: StepProps) {
  const nodes = useNodes(org);
  if (nodes.isPending) return <ListSkeleton label="Loading nodes…" />;
  if (nodes.isError)
    return <ErrorState title="Could not load the nodes." error={nodes.error} onRetry={() => void nodes.refetch()} />;
  if (nodes.data.length === 0)
    return (
      <EmptyState icon={HardDrive} title="No nodes yet">
        <Link to="/o/$org/nodes" params={{ org }} className="underline underline-offset-4">
          Add a node
        </Link>{" "}
        first.
      </EmptyState>
    );
  return (
    <fieldset className="grid gap-3">
      <legend className="mb-2 text-sm font-medium">Where the server runs</legend>
      {problems.node_id ? <p className="text-sm text-red-700 dark:text-destructive">{problems.node_id}</p> : null}
      {nodes.data.map((node) => {
        const free = node.allocations - node.allocations_used;
        return (
          <label
            key={node.id}
            className={cn(
              "flex cursor-pointer flex-wrap items-center gap-3 rounded-lg border p-3 has-[:checked]:border-primary has-[:focus-visible]:ring-[3px] has-[:focus-visible]:ring-ring/50",
              node.maintenance && "cursor-not-allowed opacity-60",
            )}
          >
            <input
              type="radio"
              name="node"
              value={node.id}
              className="size-4 accent-primary"
              checked={values.node_id === node.id}
              disabled={node.maintenance}
              onChange={() => {
                set({ node_id: node.id, allocation: "auto" });
              }}
            />
            <span className="grid min-w-40 gap-0.5">
              <span className="font-medium">{node.name}</span>
              <span className="text-xs text-muted-foreground">
                {node.maintenance ? "In maintenance: takes no new servers" : `${formatCount(free)} free allocations`}
              </span>
            </span>
            <span className="ml-auto">
              <NodeStatus org={org} node={node.id} />
            </span>
          </label>
        );
      })}
    </fieldset>
  );
}

function EggStep({ org, values, set, problems }: StepProps) {
  const eggs = useEggs(org);
  if (eggs.isPending) return <ListSkeleton label="Loading eggs…" />;
  if (eggs.isError)
    return <ErrorState title="Could not load the eggs." error={eggs.error} onRetry={() => void eggs.refetch()} />;
  if (eggs.data.length === 0)
    return (
      <EmptyState icon={Building2} title="No eggs yet">
        <Link to="/o/$org/eggs" params={{ org }} className="underline underline-offset-4">
          Import an egg
        </Link>{" "}
        first.
      </EmptyState>
    );
  return (
    <Field label="Egg" problem={problems.egg_id} hint="What the server runs: its images, startup command and variables.">
      {(control) => (
        <NativeSelect
          {...control}
          value={values.egg_id}
          onChange={(e) => {
            set({ egg_id: e.target.value, docker_image: "", startup: "", environment: {} });
          }}
        >
          <option value="">Choose an egg…</option>
          {eggs.data.map((egg) => (
            <option key={egg.id} value={egg.id}>
              {egg.name}
            </option>
          ))}
        </NativeSelect>
      )}
    </Field>
  );
}

function NumberField({
  label,
  field,
  hint,
  values,
  set,
  problems,
}: StepProps & { label: string; field: "memory" | "swap" | "disk" | "io" | "cpu"; hint: string }) {
  return (
    <Field label={label} hint={hint} problem={problems[`limits.${field}`]}>
      {(control) => (
        <Input
          {...control}
          inputMode="numeric"
          value={values[field]}
          onChange={(e) => {
            set({ [field]: e.target.value });
          }}
        />
      )}
    </Field>
  );
}

function ResourcesStep(props: StepProps) {
  const { org, values, set, problems } = props;
  const allocations = useAllocations(org, values.node_id);
  const free = allocations.data?.filter((a) => !a.server_id) ?? [];
  return (
    <div className="grid gap-4">
      <Field label="Name" problem={problems.name}>
        {(control) => (
          <Input
            {...control}
            value={values.name}
            autoComplete="off"
            onChange={(e) => {
              set({ name: e.target.value });
            }}
          />
        )}
      </Field>
      <Field label="Description (optional)" problem={problems.description}>
        {(control) => (
          <Textarea
            {...control}
            value={values.description}
            onChange={(e) => {
              set({ description: e.target.value });
            }}
          />
        )}
      </Field>
      <div className="grid gap-4 sm:grid-cols-3">
        <NumberField {...props} label="Memory (MiB)" field="memory" hint="0 for unlimited." />
        <NumberField {...props} label="Swap (MiB)" field="swap" hint="-1 for unlimited, 0 for none." />
        <NumberField {...props} label="Disk (MiB)" field="disk" hint="0 for unlimited." />
        <NumberField {...props} label="CPU (%)" field="cpu" hint="100 is one core; 0 for unlimited." />
        <NumberField {...props} label="Block I/O weight" field="io" hint="10 to 1000." />
      </div>
      <Field
        label="Allocation"
        problem={problems.allocation_id ?? problems.auto_allocation}
        hint={
          allocations.isSuccess
            ? `${formatCount(free.length)} free on this node.`
            : allocations.isError
              ? wingsErrorMessage(allocations.error)
              : "Loading the node's allocations…"
        }
      >
        {(control) => (
          <NativeSelect
            {...control}
            value={values.allocation}
            onChange={(e) => {
              set({ allocation: e.target.value });
            }}
          >
            <option value="auto">The first free one</option>
            {free.map((a) => (
              <option key={a.id} value={a.id}>
                {a.alias ?? a.ip}:{String(a.port)}
              </option>
            ))}
          </NativeSelect>
        )}
      </Field>
    </div>
  );
}

function VariableField({
  variable,
  value,
  problem,
  onChange,
}: {
  variable: EggVariableRow;
  value: string;
  problem: string | undefined;
  onChange: (value: string) => void;
}) {
  const choices = choicesOf(variable.rules);
  return (
    <Field
      label={
        <>
          {variable.name} <code className="font-mono text-xs font-normal text-muted-foreground">{variable.env_variable}</code>
        </>
      }
      hint={
        <>
          {variable.description}
          {variable.rules.length > 0 ? (
            <span className="block font-mono text-xs">Rules: {variable.rules.join(" · ")}</span>
          ) : null}
        </>
      }
      problem={problem}
    >
      {(control) =>
        choices ? (
          <NativeSelect
            {...control}
            value={value}
            onChange={(e) => {
              onChange(e.target.value);
            }}
          >
            {choices.includes(value) ? null : <option value={value}>{value || "(empty)"}</option>}
            {choices.map((choice) => (
              <option key={choice} value={choice}>
                {choice}
              </option>
            ))}
          </NativeSelect>
        ) : (
          <Input
            {...control}
            value={value}
            className="font-mono"
            autoComplete="off"
            onChange={(e) => {
              onChange(e.target.value);
            }}
          />
        )
      }
    </Field>
  );
}

function VariablesStep({ values, set, problems, variables, images }: StepProps & { variables: EggVariableRow[]; images: { label: string; image: string }[] }) {
  return (
    <div className="grid gap-4">
      <Field label="Docker image" problem={problems.docker_image}>
        {(control) => (
          <NativeSelect
            {...control}
            value={values.docker_image}
            onChange={(e) => {
              set({ docker_image: e.target.value });
            }}
          >
            {images.map((image) => (
              <option key={image.image} value={image.image}>
                {image.label} ({image.image})
              </option>
            ))}
          </NativeSelect>
        )}
      </Field>
      <Field label="Startup command" problem={problems.startup} hint="{{VARIABLE}} is replaced by the variable's value; left empty, the egg's default.">
        {(control) => (
          <Textarea
            {...control}
            value={values.startup}
            className="font-mono text-xs"
            onChange={(e) => {
              set({ startup: e.target.value });
            }}
          />
        )}
      </Field>
      {variables.map((variable) => {
        const value = valueOf(variable, values.environment);
        return (
          <VariableField
            key={variable.env_variable}
            variable={variable}
            value={value}
            // Checked as it is typed, with the egg's rules (the API's own).
            problem={problems[`environment.${variable.env_variable}`] ?? variableProblem(variable, value)}
            onChange={(next) => {
              set({ environment: { ...values.environment, [variable.env_variable]: next } });
            }}
          />
        );
      })}
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          className="size-4 accent-primary"
          checked={values.start_on_completion}
          onChange={(e) => {
            set({ start_on_completion: e.target.checked });
          }}
        />
        Start the server once it is installed
      </label>
    </div>
  );
}

function Review({ values, nodeName, eggName, allocationLabel, variables }: { values: WizardValues; nodeName: string; eggName: string; allocationLabel: string; variables: EggVariableRow[] }) {
  const rows: [string, string][] = [
    ["Name", values.name],
    ["Node", nodeName],
    ["Egg", eggName],
    ["Allocation", allocationLabel],
    ["Memory", `${values.memory} MiB`],
    ["Swap", `${values.swap} MiB`],
    ["Disk", `${values.disk} MiB`],
    ["CPU", `${values.cpu}%`],
    ["Block I/O weight", values.io],
    ["Docker image", values.docker_image],
    ["Startup", values.startup],
    ...variables.map((v): [string, string] => [v.name, valueOf(v, values.environment)]),
  ];
  return (
    <dl className="grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[max-content_minmax(0,1fr)]">
      {rows.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-muted-foreground">{label}</dt>
          <dd className="font-mono text-xs break-all">{value || "—"}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * The new server wizard: node → egg → resources and allocation → variables
 * (checked as typed with the egg's rules) → review. Availability is asked
 * again before the server is created; then the server's console opens,
 * showing its install.
 */
export function NewServerWizard({ org }: { org: string }) {
  const [typed, setValues] = useState<WizardValues>(INITIAL_VALUES);
  const [step, setStep] = useState<Step>("node");
  const [problems, setProblems] = useState<Problems>({});
  const [blocked, setBlocked] = useState<string[]>([]);
  const [checking, setChecking] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const moved = useRef(false);
  const egg = useEgg(org, typed.egg_id || undefined);
  const nodes = useNodes(org);
  const allocations = useAllocations(org, typed.node_id);
  const create = useCreateServer(org);
  const navigate = useNavigate();
  const variables = useMemo(() => sortedVariables(egg.data?.definition.variables ?? []), [egg.data]);
  const images = egg.data?.definition.docker_images ?? [];
  // Until chosen, the egg's first image and startup command (its defaults).
  const values: WizardValues = {
    ...typed,
    docker_image: typed.docker_image || (images[0]?.image ?? ""),
    startup: typed.startup || (egg.data?.definition.startup_commands[0]?.command ?? ""),
  };

  // A new step's heading takes focus, so keyboard and screen-reader users start there.
  useEffect(() => {
    if (moved.current) heading.current?.focus();
  }, [step]);

  function set(patch: Partial<WizardValues>) {
    setValues((v) => ({ ...v, ...patch }));
  }

  function go(next: Step) {
    moved.current = true;
    setProblems({});
    setStep(next);
  }

  const index = STEPS.indexOf(step);

  function onNext(event: SyntheticEvent) {
    event.preventDefault();
    const found = stepProblems(step, values, variables);
    setProblems(found);
    if (Object.keys(found).length > 0) {
      requestAnimationFrame(() => document.querySelector<HTMLElement>("[aria-invalid='true']")?.focus());
      return;
    }
    const next = STEPS[index + 1];
    if (next) go(next);
  }

  async function onCreate() {
    const body = toNewServer(values, variables);
    setBlocked([]);
    setChecking(true);
    const reasons = await checkAvailability(org, body).finally(() => {
      setChecking(false);
    });
    if (reasons.length > 0) {
      setBlocked(reasons);
      return;
    }
    create.mutate(body, {
      onSuccess: (detail) => {
        void navigate({
          to: "/o/$org/game-servers/$server",
          params: { org, server: detail.server.id },
          search: { tab: "console" },
        });
      },
      onError: (error) => {
        const fields = error instanceof ApiError ? error.fields : undefined;
        if (fields && Object.keys(fields).length > 0) {
          const first = Object.keys(fields)[0] ?? "";
          const target = stepOfField(first);
          go(target);
          setProblems(
            Object.fromEntries(
              Object.entries(fields).map(([k, m]) => [k, m.charAt(0).toUpperCase() + m.slice(1) + (/[.!?]$/.test(m) ? "" : ".")]),
            ),
          );
        } else setBlocked([wingsErrorMessage(error)]);
      },
    });
  }

  const node = nodes.data?.find((n) => n.id === values.node_id);
  const allocation = allocations.data?.find((a) => a.id === values.allocation);
  const busy = checking || create.isPending;

  return (
    <div className="grid gap-6 lg:grid-cols-[14rem_minmax(0,1fr)]">
      <nav aria-label="Steps">
        <ol className="grid gap-1">
          {STEPS.map((s, i) => (
            <li key={s}>
              <span
                aria-current={s === step ? "step" : undefined}
                className={cn(
                  "flex items-center gap-2 rounded-md px-3 py-2 text-sm",
                  s === step ? "bg-accent font-medium text-accent-foreground" : "text-muted-foreground",
                )}
              >
                <span aria-hidden="true" className="flex size-5 items-center justify-center rounded-full border text-xs">
                  {i < index ? <Check className="size-3" /> : i + 1}
                </span>
                {STEP_TITLES[s]}
                {i < index ? <span className="sr-only"> (done)</span> : null}
              </span>
            </li>
          ))}
        </ol>
      </nav>
      <Card>
        <CardHeader>
          <CardTitle>
            <h2 ref={heading} tabIndex={-1} className="outline-none">
              Step {index + 1} of {STEPS.length}: {STEP_TITLES[step]}
            </h2>
          </CardTitle>
        </CardHeader>
        <CardContent>
          <form noValidate onSubmit={onNext} className="grid gap-6">
            {step === "node" ? <NodeStep org={org} values={values} set={set} problems={problems} /> : null}
            {step === "egg" ? <EggStep org={org} values={values} set={set} problems={problems} /> : null}
            {step === "resources" ? <ResourcesStep org={org} values={values} set={set} problems={problems} /> : null}
            {step === "variables" ? (
              egg.isPending ? (
                <ListSkeleton label="Loading the egg…" />
              ) : egg.isError ? (
                <ErrorState title="Could not load the egg." error={egg.error} onRetry={() => void egg.refetch()} />
              ) : (
                <VariablesStep org={org} values={values} set={set} problems={problems} variables={variables} images={images} />
              )
            ) : null}
            {step === "review" ? (
              <>
                <Review
                  values={values}
                  nodeName={node?.name ?? ""}
                  eggName={egg.data?.definition.name ?? ""}
                  allocationLabel={allocation ? `${allocation.ip}:${String(allocation.port)}` : "The first free one"}
                  variables={variables}
                />
                {blocked.length > 0 ? (
                  <div role="alert" className="rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-red-700 dark:text-destructive">
                    <p className="font-medium">The server cannot be created now:</p>
                    <ul className="list-disc pl-5">
                      {blocked.map((reason) => (
                        <li key={reason}>{reason}</li>
                      ))}
                    </ul>
                  </div>
                ) : null}
                {busy ? (
                  <p role="status" className="text-sm text-muted-foreground">
                    {checking ? "Checking the node and the allocation…" : "Creating the server on the node…"}
                  </p>
                ) : null}
              </>
            ) : null}
            <div className="flex flex-wrap gap-2">
              {index > 0 ? (
                <Button
                  type="button"
                  variant="outline"
                  disabled={busy}
                  onClick={() => {
                    const previous = STEPS[index - 1];
                    if (previous) go(previous);
                  }}
                >
                  Back
                </Button>
              ) : null}
              {step === "review" ? (
                <Button type="button" disabled={busy} onClick={() => void onCreate()}>
                  {busy ? "Creating…" : "Create server"}
                </Button>
              ) : (
                <Button type="submit">Next</Button>
              )}
            </div>
          </form>
        </CardContent>
      </Card>
    </div>
  );
}
