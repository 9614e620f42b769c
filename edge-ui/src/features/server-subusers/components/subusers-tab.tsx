import { Pencil, Users } from "lucide-react";
import { useState, type SyntheticEvent } from "react";

import { ConfirmIconButton } from "@/components/confirm-dialog";
import { DataTable, type DataColumn } from "@/components/data-table";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import type { ServerTabProps } from "@/features/game-servers/server-tabs";
import { wingsErrorMessage } from "@/features/game-servers/lib/wings-errors";
import { Field } from "@/features/new-server/components/field";
import {
  useAddSubuser,
  useRemoveSubuser,
  useSubusers,
  useUpdateSubuser,
  type SubuserRow,
} from "@/features/server-subusers/api/subusers";
import { PermissionChecklist } from "@/features/server-subusers/components/permission-checklist";
import { ApiError } from "@/lib/api-client";
import { emailRule } from "@/lib/validation";

const DEFAULT_PERMISSIONS = ["websocket.connect", "control.console", "file.read", "file.read-content"];

type Editing = { mode: "add" } | { mode: "edit"; subuser: SubuserRow };

function SubuserDialog({
  org,
  server,
  editing,
  onClose,
  allowed,
}: {
  org: string;
  server: string;
  editing: Editing;
  onClose: () => void;
  allowed: (permission: string) => boolean;
}) {
  const [email, setEmail] = useState("");
  const [permissions, setPermissions] = useState<string[]>(
    editing.mode === "edit" ? editing.subuser.permissions : DEFAULT_PERMISSIONS.filter(allowed),
  );
  const [problems, setProblems] = useState<Record<string, string>>({});
  const add = useAddSubuser(org, server);
  const update = useUpdateSubuser(org, server);
  const pending = add.isPending || update.isPending;

  function onError(error: unknown) {
    const fields = error instanceof ApiError && error.fields ? error.fields : undefined;
    if (fields)
      setProblems(
        Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, `${v.charAt(0).toUpperCase()}${v.slice(1)}.`])),
      );
    else setProblems({ root: wingsErrorMessage(error) });
  }

  function onSubmit(event: SyntheticEvent) {
    event.preventDefault();
    const found: Record<string, string> = {};
    if (editing.mode === "add") {
      const checked = emailRule.safeParse(email);
      if (!checked.success) found.email = checked.error.issues[0]?.message ?? "Enter an email address.";
    }
    if (permissions.length === 0) found.permissions = "Choose at least one permission.";
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    if (editing.mode === "add") add.mutate({ email: email.trim(), permissions }, { onSuccess: onClose, onError });
    else update.mutate({ id: editing.subuser.id, permissions }, { onSuccess: onClose, onError });
  }

  const who = editing.mode === "edit" ? (editing.subuser.name ?? editing.subuser.email) : "";
  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
    >
      <DialogContent className="max-h-[90vh] overflow-y-auto sm:max-w-3xl">
        <DialogHeader>
          <DialogTitle>{editing.mode === "add" ? "Add subuser" : `Permissions of ${who}`}</DialogTitle>
          <DialogDescription>
            {editing.mode === "add"
              ? "Someone with a Flamingo account gets the permissions you tick on this server only."
              : "What they may do on this server."}
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="grid gap-4">
          {problems.root ? (
            <p role="alert" className="text-sm text-red-700 dark:text-destructive">
              {problems.root}
            </p>
          ) : null}
          {editing.mode === "add" ? (
            <Field label="Email" problem={problems.email} hint="The email address of their Flamingo account.">
              {(control) => (
                <Input
                  {...control}
                  type="email"
                  autoComplete="off"
                  value={email}
                  onChange={(e) => {
                    setEmail(e.target.value);
                  }}
                />
              )}
            </Field>
          ) : null}
          {problems.permissions ? (
            <p role="alert" className="text-sm text-red-700 dark:text-destructive">
              {problems.permissions}
            </p>
          ) : null}
          <PermissionChecklist value={permissions} onChange={setPermissions} allowed={allowed} />
          <DialogFooter>
            <Button type="submit" disabled={pending}>
              {pending ? "Saving…" : editing.mode === "add" ? "Add subuser" : "Save permissions"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

/** The Subusers tab: people with access to this server alone, and what each may do. */
export function SubusersTab({ org, detail, can }: ServerTabProps) {
  const server = detail.server.id;
  const subusers = useSubusers(org, server);
  const remove = useRemoveSubuser(org, server);
  const [editing, setEditing] = useState<Editing | null>(null);
  const mayAdd = can("user.create");
  const mayEdit = can("user.update");
  const mayRemove = can("user.delete");

  const columns: DataColumn<SubuserRow>[] = [
    {
      id: "who",
      header: "Subuser",
      cell: (s) => (
        <>
          <div className="font-medium">{s.name ?? s.email}</div>
          {s.name ? <div className="text-xs text-muted-foreground">{s.email}</div> : null}
        </>
      ),
    },
    {
      id: "permissions",
      header: "Permissions",
      cell: (s) => `${String(s.permissions.length)} ${s.permissions.length === 1 ? "permission" : "permissions"}`,
    },
  ];

  return (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          Subusers
        </CardTitle>
        <CardDescription>People who may use this server without being members of the organization.</CardDescription>
        {mayAdd ? (
          <CardAction>
            <Button
              onClick={() => {
                setEditing({ mode: "add" });
              }}
            >
              Add subuser
            </Button>
          </CardAction>
        ) : null}
      </CardHeader>
      <CardContent>
        {subusers.isPending ? (
          <ListSkeleton label="Loading subusers…" />
        ) : subusers.isError ? (
          <ErrorState title="Could not load the subusers." error={subusers.error} onRetry={() => void subusers.refetch()} />
        ) : subusers.data.length === 0 ? (
          <EmptyState icon={Users} title="No subusers">
            {mayAdd ? "Add someone by the email of their Flamingo account." : "Nobody else has access to this server."}
          </EmptyState>
        ) : (
          <DataTable
            label="Subusers"
            columns={columns}
            rows={subusers.data}
            rowKey={(s) => s.id}
            actions={(s) => (
              <>
                {mayEdit ? (
                  <Button
                    variant="ghost"
                    size="icon"
                    aria-label={`Change the permissions of ${s.name ?? s.email}`}
                    onClick={() => {
                      setEditing({ mode: "edit", subuser: s });
                    }}
                  >
                    <Pencil aria-hidden="true" />
                  </Button>
                ) : null}
                {mayRemove ? (
                  <ConfirmIconButton
                    title={`Remove ${s.name ?? s.email}?`}
                    description="They lose access to this server at once; Wings ends their console and SFTP sessions."
                    confirmLabel="Remove subuser"
                    label={`Remove ${s.name ?? s.email}`}
                    disabled={remove.isPending && remove.variables.id === s.id}
                    onConfirm={() => {
                      remove.mutate(s);
                    }}
                  />
                ) : null}
              </>
            )}
          />
        )}
      </CardContent>
      {editing ? (
        <SubuserDialog
          org={org}
          server={server}
          editing={editing}
          allowed={can}
          onClose={() => {
            setEditing(null);
          }}
        />
      ) : null}
    </Card>
  );
}
