import { useMemo, useState, type SyntheticEvent } from "react";

import { ListSkeleton } from "@/components/query-states";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { useEgg } from "@/features/eggs/api/eggs";
import { sortedVariables, type EggVariableRow } from "@/features/eggs/schemas/egg";
import { choicesOf } from "@/features/eggs/utils/rules";
import type { ServerTabProps } from "@/features/game-servers/server-tabs";
import { wingsErrorMessage } from "@/features/game-servers/lib/wings-errors";
import { variableProblem } from "@/features/new-server/schemas/wizard";
import { Field } from "@/features/new-server/components/field";
import { NativeSelect } from "@/features/nodes/components/native-select";
import { mayManageServers } from "@/features/nodes/utils/access";
import { useSaveStartup } from "@/features/server-startup/api/startup";
import { ApiError } from "@/lib/api-client";

/**
 * The Startup tab: the command (members who manage servers), the egg's
 * variables checked as typed with its rules (the API's own), and the docker
 * image among the egg's. Subusers, who cannot read the egg, see the values
 * the server has and the API checks them on save.
 */
export function StartupTab({ org, detail, role, can }: ServerTabProps) {
  const s = detail.server;
  const member = role !== undefined;
  const egg = useEgg(org, member ? s.egg_id : undefined);
  const save = useSaveStartup(org, s.id);
  const [startup, setStartup] = useState(s.startup);
  const [image, setImage] = useState(s.docker_image);
  const [environment, setEnvironment] = useState<Record<string, string>>(s.environment);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const manager = mayManageServers(role);
  const mayVars = can("startup.update");
  const mayImage = can("startup.docker-image");

  const variables: EggVariableRow[] = useMemo(() => {
    if (egg.data) {
      const all = sortedVariables(egg.data.definition.variables);
      return manager ? all : all.filter((v) => v.user_viewable);
    }
    // Without the egg: the server's own values, unchecked here.
    return Object.keys(s.environment).map((env) => ({
      name: env,
      description: "",
      env_variable: env,
      default_value: "",
      user_viewable: true,
      user_editable: true,
      rules: [],
    }));
  }, [egg.data, manager, s.environment]);
  const images = egg.data?.definition.docker_images ?? [{ label: s.docker_image, image: s.docker_image }];

  if (member && egg.isPending) return <ListSkeleton label="Loading the egg…" />;

  const editable = (v: EggVariableRow) => mayVars && (manager || (v.user_editable && v.user_viewable));

  function onSubmit(event: SyntheticEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    const changed: Record<string, string> = {};
    for (const v of variables) {
      const value = environment[v.env_variable] ?? v.default_value;
      if (!editable(v)) continue;
      const problem = variableProblem(v, value);
      if (problem) found[`environment.${v.env_variable}`] = problem;
      if (value !== s.environment[v.env_variable]) changed[v.env_variable] = value;
    }
    if (manager && (startup.trim() === "" || startup.length > 4096))
      found.startup = "Enter a startup command of at most 4096 characters.";
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    save.mutate(
      {
        environment: changed,
        ...(manager && startup !== s.startup ? { startup } : {}),
        ...(mayImage && image !== s.docker_image ? { docker_image: image } : {}),
      },
      {
        onError: (error) => {
          const fields = error instanceof ApiError && error.fields ? error.fields : undefined;
          setProblems(
            fields
              ? Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, `${v.charAt(0).toUpperCase()}${v.slice(1)}.`]))
              : { root: wingsErrorMessage(error) },
          );
        },
      },
    );
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          Startup
        </CardTitle>
        <CardDescription>Changes apply the next time the server starts.</CardDescription>
      </CardHeader>
      <CardContent>
        <form noValidate onSubmit={onSubmit} className="grid gap-4">
          {problems.root ? (
            <p role="alert" className="text-sm text-red-700 dark:text-destructive">
              {problems.root}
            </p>
          ) : null}
          <Field
            label="Startup command"
            problem={problems.startup}
            hint={manager ? "{{VARIABLE}} is replaced by the variable's value." : "Only members who manage game servers change it."}
          >
            {(control) => (
              <Textarea
                {...control}
                value={startup}
                readOnly={!manager}
                className="font-mono text-xs"
                onChange={(e) => {
                  setStartup(e.target.value);
                }}
              />
            )}
          </Field>
          <Field label="Docker image" problem={problems.docker_image}>
            {(control) => (
              <NativeSelect
                {...control}
                value={image}
                disabled={!mayImage}
                onChange={(e) => {
                  setImage(e.target.value);
                }}
              >
                {images.some((i) => i.image === image) ? null : <option value={image}>{image}</option>}
                {images.map((i) => (
                  <option key={i.image} value={i.image}>
                    {i.label} ({i.image})
                  </option>
                ))}
              </NativeSelect>
            )}
          </Field>
          {variables.map((v) => {
            const value = environment[v.env_variable] ?? v.default_value;
            const choices = choicesOf(v.rules);
            const problem = problems[`environment.${v.env_variable}`] ?? (editable(v) ? variableProblem(v, value) : undefined);
            const onChange = (next: string) => {
              setEnvironment((e) => ({ ...e, [v.env_variable]: next }));
            };
            return (
              <Field
                key={v.env_variable}
                label={
                  <>
                    {v.name} <code className="font-mono text-xs font-normal text-muted-foreground">{v.env_variable}</code>
                  </>
                }
                hint={
                  <>
                    {v.description}
                    {v.rules.length > 0 ? <span className="block font-mono text-xs">Rules: {v.rules.join(" · ")}</span> : null}
                  </>
                }
                problem={problem}
              >
                {(control) =>
                  choices ? (
                    <NativeSelect
                      {...control}
                      value={value}
                      disabled={!editable(v)}
                      onChange={(e) => {
                        onChange(e.target.value);
                      }}
                    >
                      {choices.includes(value) ? null : <option value={value}>{value || "(empty)"}</option>}
                      {choices.map((c) => (
                        <option key={c} value={c}>
                          {c}
                        </option>
                      ))}
                    </NativeSelect>
                  ) : (
                    <Input
                      {...control}
                      value={value}
                      readOnly={!editable(v)}
                      className="font-mono"
                      onChange={(e) => {
                        onChange(e.target.value);
                      }}
                    />
                  )
                }
              </Field>
            );
          })}
          {mayVars || mayImage || manager ? (
            <div>
              <Button type="submit" disabled={save.isPending}>
                {save.isPending ? "Saving…" : "Save startup"}
              </Button>
            </div>
          ) : null}
        </form>
      </CardContent>
    </Card>
  );
}
