import { useId, useState, type SyntheticEvent } from "react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { CopyField } from "@/components/copy-field";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import type { ServerTabProps } from "@/features/game-servers/server-tabs";
import { wingsErrorMessage } from "@/features/game-servers/lib/wings-errors";
import { Field } from "@/features/new-server/components/field";
import { useNode } from "@/features/nodes/api/nodes";
import { mayManageServers } from "@/features/nodes/utils/access";
import { useRenameServer, useReinstall, useSetBuild, useSuspend } from "@/features/server-settings/api/settings";
import { ApiError } from "@/lib/api-client";
import { useMe } from "@/lib/auth";
import { nameRule } from "@/lib/validation";

function fieldsOf(error: unknown): Record<string, string> {
  return error instanceof ApiError && error.fields ? error.fields : {};
}

function sentence(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const t = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

function NameCard({ org, detail, can }: ServerTabProps) {
  const s = detail.server;
  const [name, setName] = useState(s.name);
  const [description, setDescription] = useState(s.description);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const rename = useRenameServer(org, s.id);
  const mayRename = can("settings.rename");
  const mayDescribe = can("settings.description");

  function onSubmit(event: SyntheticEvent) {
    event.preventDefault();
    const checked = nameRule.safeParse(name);
    const found: Record<string, string> = {};
    if (mayRename && !checked.success) found.name = checked.error.issues[0]?.message ?? "Enter a name.";
    if (Array.from(description).length > 1000) found.description = "Use at most 1000 characters.";
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    rename.mutate(
      { ...(mayRename ? { name: name.trim() } : {}), ...(mayDescribe ? { description } : {}) },
      {
        onError: (error) => {
          const fields = fieldsOf(error);
          setProblems(
            Object.keys(fields).length > 0
              ? Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, sentence(v) ?? v]))
              : { root: wingsErrorMessage(error) },
          );
        },
      },
    );
  }

  if (!mayRename && !mayDescribe) return null;
  return (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          Name and description
        </CardTitle>
      </CardHeader>
      <CardContent>
        <form noValidate onSubmit={onSubmit} className="grid gap-4">
          {problems.root ? (
            <p role="alert" className="text-sm text-red-700 dark:text-destructive">
              {problems.root}
            </p>
          ) : null}
          <Field label="Name" problem={problems.name}>
            {(control) => (
              <Input
                {...control}
                value={name}
                disabled={!mayRename}
                onChange={(e) => {
                  setName(e.target.value);
                }}
              />
            )}
          </Field>
          <Field label="Description" problem={problems.description}>
            {(control) => (
              <Textarea
                {...control}
                value={description}
                disabled={!mayDescribe}
                onChange={(e) => {
                  setDescription(e.target.value);
                }}
              />
            )}
          </Field>
          <div>
            <Button type="submit" disabled={rename.isPending}>
              {rename.isPending ? "Saving…" : "Save"}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}

function SftpCard({ org, detail, role }: ServerTabProps) {
  const me = useMe();
  const s = detail.server;
  // Members read the node (its host and SFTP port); others see the server's own address.
  const node = useNode(org, role ? s.node_id : "");
  const host = node.data?.fqdn ?? s.allocation.alias ?? s.allocation.ip;
  const port = node.data?.sftp_port ?? 2022;
  const user = `${me.user.email}.${s.short_id}`;
  return (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          SFTP
        </CardTitle>
        <CardDescription>Sign in with your Flamingo password or one of your SSH keys (Settings → SSH keys).</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <CopyField label="SFTP address" value={`sftp://${user}@${host}:${String(port)}`} />
        <CopyField label="Username" value={user} />
      </CardContent>
    </Card>
  );
}

function ReinstallCard({ org, detail, can }: ServerTabProps) {
  const reinstall = useReinstall(org, detail.server.id);
  if (!can("settings.reinstall")) return null;
  return (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          Reinstall
        </CardTitle>
        <CardDescription>Runs the egg&apos;s install script again. Files it writes are replaced; others stay.</CardDescription>
      </CardHeader>
      <CardContent>
        <ConfirmDialog
          trigger={
            <Button variant="destructive" disabled={reinstall.isPending}>
              {reinstall.isPending ? "Reinstalling…" : "Reinstall server"}
            </Button>
          }
          title={`Reinstall ${detail.server.name}?`}
          description="The server is stopped and the install script runs again. Files the script writes are overwritten."
          confirmLabel="Reinstall"
          onConfirm={() => {
            reinstall.mutate();
          }}
        />
      </CardContent>
    </Card>
  );
}

const LIMIT_FIELDS = [
  ["memory", "Memory (MiB)", "0 for unlimited."],
  ["swap", "Swap (MiB)", "-1 for unlimited."],
  ["disk", "Disk (MiB)", "0 for unlimited."],
  ["cpu", "CPU (%)", "100 is one core."],
  ["io", "Block I/O weight", "10 to 1000."],
] as const;

function BuildCard({ org, detail }: ServerTabProps) {
  const id = useId();
  const s = detail.server;
  const build = useSetBuild(org, s.id);
  const suspend = useSuspend(org, s.id);
  const suspended = s.status === "suspended";
  const [values, setValues] = useState<Record<string, string>>({
    memory: String(s.limits.memory),
    swap: String(s.limits.swap),
    disk: String(s.limits.disk),
    cpu: String(s.limits.cpu),
    io: String(s.limits.io),
  });
  const [problems, setProblems] = useState<Record<string, string>>({});

  function onSubmit(event: SyntheticEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    for (const [field] of LIMIT_FIELDS)
      if (!/^-?\d+$/.test((values[field] ?? "").trim())) found[`limits.${field}`] = "Enter a whole number.";
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    build.mutate(
      {
        memory: Number(values.memory),
        swap: Number(values.swap),
        disk: Number(values.disk),
        cpu: Number(values.cpu),
        io: Number(values.io),
        ...(s.limits.threads ? { threads: s.limits.threads } : {}),
        ...(s.limits.oom_killer == null ? {} : { oom_killer: s.limits.oom_killer }),
      },
      {
        onError: (error) => {
          const fields = fieldsOf(error);
          setProblems(
            Object.keys(fields).length > 0
              ? Object.fromEntries(
                  Object.entries(fields).map(([k, v]) => [k.startsWith("limits.") ? k : `limits.${k}`, sentence(v) ?? v]),
                )
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
          Administration
        </CardTitle>
        <CardDescription>Build limits, allocations and suspension: for members who manage game servers.</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-6">
        <form noValidate onSubmit={onSubmit} className="grid gap-4" aria-labelledby={`${id}-limits`}>
          <h3 id={`${id}-limits`} className="font-medium">
            Build limits
          </h3>
          {problems.root ? (
            <p role="alert" className="text-sm text-red-700 dark:text-destructive">
              {problems.root}
            </p>
          ) : null}
          <div className="grid gap-4 sm:grid-cols-3">
            {LIMIT_FIELDS.map(([field, label, hint]) => (
              <Field key={field} label={label} hint={hint} problem={problems[`limits.${field}`]}>
                {(control) => (
                  <Input
                    {...control}
                    inputMode="numeric"
                    value={values[field] ?? ""}
                    onChange={(e) => {
                      setValues((v) => ({ ...v, [field]: e.target.value }));
                    }}
                  />
                )}
              </Field>
            ))}
          </div>
          <div>
            <Button type="submit" disabled={build.isPending}>
              {build.isPending ? "Saving…" : "Save limits"}
            </Button>
          </div>
        </form>
        <div className="grid gap-2">
          <h3 className="font-medium">Allocations</h3>
          <ul className="grid gap-1 font-mono text-sm">
            {detail.allocations.map((a) => (
              <li key={a.id}>
                {a.alias ?? a.ip}:{String(a.port)}
                {a.is_default ? <span className="ml-2 font-sans text-xs text-muted-foreground">(default)</span> : null}
              </li>
            ))}
          </ul>
        </div>
        <div className="grid gap-2">
          <h3 className="font-medium">Suspension</h3>
          <Label className="font-normal text-muted-foreground">
            {suspended ? "Suspended: it cannot be started and its consoles are closed." : "Not suspended."}
          </Label>
          <div>
            {suspended ? (
              <Button
                variant="outline"
                disabled={suspend.isPending}
                onClick={() => {
                  suspend.mutate(false);
                }}
              >
                {suspend.isPending ? "Unsuspending…" : "Unsuspend"}
              </Button>
            ) : (
              <ConfirmDialog
                trigger={
                  <Button variant="destructive" disabled={suspend.isPending}>
                    {suspend.isPending ? "Suspending…" : "Suspend"}
                  </Button>
                }
                title={`Suspend ${s.name}?`}
                description="It is stopped, its consoles close and nobody can start it until it is unsuspended."
                confirmLabel="Suspend"
                onConfirm={() => {
                  suspend.mutate(true);
                }}
              />
            )}
          </div>
        </div>
      </CardContent>
    </Card>
  );
}

/** The Settings tab: name and description, SFTP details, reinstall, and for managers the build limits, allocations and suspension. */
export function SettingsTab(props: ServerTabProps) {
  return (
    <div className="grid gap-6">
      <NameCard {...props} />
      <SftpCard {...props} />
      <ReinstallCard {...props} />
      {mayManageServers(props.role) ? <BuildCard {...props} /> : null}
    </div>
  );
}
