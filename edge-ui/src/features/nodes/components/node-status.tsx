import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { useNodeSystem } from "@/features/nodes/api/nodes";
import { OnlineDot } from "@/features/tunnels/components/host-status";
import { formatBytes } from "@/lib/format";
import { errorMessage } from "@/lib/notify";

/** Online or offline, as Wings answers now; offline says why (the API's sentence). */
export function NodeStatus({ org, node }: { org: string; node: string }) {
  const system = useNodeSystem(org, node);
  if (system.isPending)
    return (
      <span role="status">
        <span className="sr-only">Checking…</span>
        <Skeleton className="h-5 w-16" />
      </span>
    );
  if (system.isError)
    return (
      <span className="grid gap-1">
        <Badge variant="secondary">
          <OnlineDot online={false} />
          Offline
        </Badge>
        <span className="text-xs text-muted-foreground">{errorMessage(system.error)}</span>
      </span>
    );
  return (
    <Badge variant="secondary" title={`Wings ${system.data.system.version}`}>
      <OnlineDot online />
      Online
    </Badge>
  );
}

function percent(used: number, total: number): string {
  return total > 0 ? `${String(Math.round((used / total) * 100))}%` : "—";
}

/** CPU, memory and disk use of the machine, from Wings; a dash while it cannot be asked. */
export function NodeUtilization({ org, node }: { org: string; node: string }) {
  const system = useNodeSystem(org, node);
  if (!system.isSuccess) return <span className="text-muted-foreground">—</span>;
  const u = system.data.utilization;
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-2 text-xs tabular-nums">
      <dt className="text-muted-foreground">CPU</dt>
      <dd>{`${u.cpu_percent.toFixed(0)}%`}</dd>
      <dt className="text-muted-foreground">Memory</dt>
      <dd>
        {formatBytes(u.memory_used)} of {formatBytes(u.memory_total)} ({percent(u.memory_used, u.memory_total)})
      </dd>
      <dt className="text-muted-foreground">Disk</dt>
      <dd>
        {formatBytes(u.disk_used)} of {formatBytes(u.disk_total)} ({percent(u.disk_used, u.disk_total)})
      </dd>
    </dl>
  );
}
