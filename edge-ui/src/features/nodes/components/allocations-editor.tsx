import { Network } from "lucide-react";
import { useId, useMemo, useState, type SyntheticEvent } from "react";

import { ConfirmIconButton } from "@/components/confirm-dialog";
import { DataTable, type DataColumn } from "@/components/data-table";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { useAddAllocations, useAllocations, useDeleteAllocation } from "@/features/nodes/api/nodes";
import { NativeSelect } from "@/features/nodes/components/native-select";
import type { AllocationRow } from "@/features/nodes/schemas/node";
import { isIpAddress, parsePorts } from "@/features/nodes/utils/ports";
import { ApiError } from "@/lib/api-client";
import { formatCount } from "@/lib/format";
import { errorMessage } from "@/lib/notify";

const COLUMNS: readonly DataColumn<AllocationRow>[] = [
  {
    id: "address",
    header: "Address",
    className: "font-mono",
    cell: (a) => (
      <>
        {a.ip}:{String(a.port)}
        {a.alias ? <div className="text-xs text-muted-foreground">{a.alias}</div> : null}
      </>
    ),
  },
  {
    id: "server",
    header: "Used by",
    cell: (a) => (a.server_id ? (a.server_name ?? "A server") : <Badge variant="outline">Free</Badge>),
  },
  { id: "notes", header: "Notes", hideBelow: "3xl", className: "text-muted-foreground", cell: (a) => a.notes ?? "" },
];

type Filter = "all" | "free" | "used";

/** Problems of the add form, by field; empty when it may be sent. */
function formProblems(ip: string, ports: string) {
  const out: { ip?: string; ports?: string } = {};
  if (!isIpAddress(ip)) out.ip = "Enter an IPv4 or IPv6 address (0.0.0.0 binds all).";
  const parsed = parsePorts(ports);
  if ("problem" in parsed) out.ports = parsed.problem;
  return out;
}

function AddAllocations({ org, node }: { org: string; node: string }) {
  const id = useId();
  const add = useAddAllocations(org, node);
  const [ip, setIp] = useState("0.0.0.0");
  const [ports, setPorts] = useState("");
  const [alias, setAlias] = useState("");
  const [notes, setNotes] = useState("");
  const [shown, setShown] = useState<{ ip?: string; ports?: string; root?: string }>({});
  const parsed = parsePorts(ports);

  function onSubmit(event: SyntheticEvent) {
    event.preventDefault();
    const problems = formProblems(ip, ports);
    setShown(problems);
    if (problems.ip ?? problems.ports) {
      document.getElementById(problems.ip ? `${id}-ip` : `${id}-ports`)?.focus();
      return;
    }
    if ("problem" in parsed) return;
    add.mutate(
      { ip: ip.trim(), ports: parsed.specs, alias: alias.trim() || undefined, notes: notes.trim() || undefined },
      {
        onSuccess: () => {
          setPorts("");
          setShown({});
        },
        onError: (error) => {
          const fields = error instanceof ApiError ? error.fields : undefined;
          setShown({
            ip: fields?.ip,
            ports: fields?.ports,
            root: fields?.ip ?? fields?.ports ? undefined : errorMessage(error),
          });
        },
      },
    );
  }

  const message = (field: "ip" | "ports") =>
    shown[field] ? (
      <p id={`${id}-${field}-error`} className="text-sm text-red-700 dark:text-destructive">
        {shown[field]}
      </p>
    ) : null;

  return (
    <form noValidate onSubmit={onSubmit} className="grid gap-4 rounded-lg border p-4" aria-label="Add allocations">
      {shown.root ? (
        <p role="alert" className="text-sm text-red-700 dark:text-destructive">
          {shown.root}
        </p>
      ) : null}
      <div className="grid gap-4 sm:grid-cols-2">
        <div className="grid gap-2">
          <Label htmlFor={`${id}-ip`}>IP address</Label>
          <Input
            id={`${id}-ip`}
            value={ip}
            onChange={(e) => {
              setIp(e.target.value);
            }}
            aria-invalid={Boolean(shown.ip)}
            aria-describedby={shown.ip ? `${id}-ip-error` : undefined}
            className="font-mono"
          />
          {message("ip")}
        </div>
        <div className="grid gap-2">
          <Label htmlFor={`${id}-alias`}>Alias (optional)</Label>
          <Input
            id={`${id}-alias`}
            value={alias}
            placeholder="play.example.com"
            onChange={(e) => {
              setAlias(e.target.value);
            }}
          />
        </div>
      </div>
      <div className="grid gap-2">
        <Label htmlFor={`${id}-ports`}>Ports</Label>
        <Textarea
          id={`${id}-ports`}
          value={ports}
          placeholder="25565, 25570-25600"
          onChange={(e) => {
            setPorts(e.target.value);
          }}
          aria-invalid={Boolean(shown.ports)}
          aria-describedby={`${id}-ports-hint${shown.ports ? ` ${id}-ports-error` : ""}`}
          className="font-mono"
        />
        <p id={`${id}-ports-hint`} className="text-sm text-muted-foreground" aria-live="polite">
          {"count" in parsed
            ? `${formatCount(parsed.count)} ${parsed.count === 1 ? "port" : "ports"} to add.`
            : "Single ports and ranges, separated by commas or new lines; up to 1000 at once."}
        </p>
        {message("ports")}
      </div>
      <div className="grid gap-2">
        <Label htmlFor={`${id}-notes`}>Notes (optional)</Label>
        <Input
          id={`${id}-notes`}
          value={notes}
          onChange={(e) => {
            setNotes(e.target.value);
          }}
        />
      </div>
      <div>
        <Button type="submit" disabled={add.isPending}>
          {add.isPending ? "Adding…" : "Add allocations"}
        </Button>
      </div>
    </form>
  );
}

/** A node's `ip:port` allocations, free and used, with bulk add of ports and ranges and removal of free ones. */
export function AllocationsEditor({ org, node, mayManage }: { org: string; node: string; mayManage: boolean }) {
  const allocations = useAllocations(org, node);
  const remove = useDeleteAllocation(org, node);
  const [filter, setFilter] = useState<Filter>("all");
  const filterId = useId();
  const rows = useMemo(() => {
    const all = allocations.data ?? [];
    if (filter === "free") return all.filter((a) => !a.server_id);
    if (filter === "used") return all.filter((a) => a.server_id);
    return all;
  }, [allocations.data, filter]);
  const free = allocations.data?.filter((a) => !a.server_id).length ?? 0;

  return (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          Allocations
        </CardTitle>
        <CardDescription>
          {allocations.data
            ? `${formatCount(allocations.data.length)} in all, ${formatCount(free)} free. Servers get their ports from these.`
            : "The IP addresses and ports servers on this node may use."}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {mayManage ? <AddAllocations org={org} node={node} /> : null}
        {allocations.isPending ? (
          <ListSkeleton label="Loading allocations…" />
        ) : allocations.isError ? (
          <ErrorState
            title="Could not load the allocations."
            error={allocations.error}
            onRetry={() => void allocations.refetch()}
          />
        ) : allocations.data.length === 0 ? (
          <EmptyState icon={Network} title="No allocations">
            {mayManage ? "Add the ports servers on this node may listen on." : "An owner or admin can add ports."}
          </EmptyState>
        ) : (
          <>
            <div className="flex items-center gap-2">
              <Label htmlFor={filterId}>Show</Label>
              <NativeSelect
                id={filterId}
                className="w-40"
                value={filter}
                onChange={(e) => {
                  setFilter(e.target.value as Filter);
                }}
              >
                <option value="all">All</option>
                <option value="free">Free</option>
                <option value="used">Used</option>
              </NativeSelect>
            </div>
            <DataTable
              label="Allocations"
              columns={COLUMNS}
              rows={rows}
              rowKey={(a) => a.id}
              actions={
                mayManage
                  ? (a) =>
                      a.server_id ? null : (
                        <ConfirmIconButton
                          title={`Remove ${a.ip}:${String(a.port)}?`}
                          description="No server uses it; new servers can no longer be given it."
                          confirmLabel="Remove allocation"
                          label={`Remove ${a.ip}:${String(a.port)}`}
                          disabled={remove.isPending && remove.variables.id === a.id}
                          onConfirm={() => {
                            remove.mutate(a);
                          }}
                        />
                      )
                  : undefined
              }
            />
          </>
        )}
      </CardContent>
    </Card>
  );
}
