import { CircleAlert, CircleCheck, RefreshCw } from "lucide-react";

import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import {
  Card,
  CardAction,
  CardContent,
  CardDescription,
  CardHeader,
  CardTitle,
} from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { useHealth } from "@/features/health/api/get-health";
import { CHECK_OK, type Health } from "@/features/health/schemas/health";
import { cn } from "@/lib/utils";

const CHECK_LABELS: Record<string, string> = {
  d1: "D1 database",
  kv: "KV store",
  durable_objects: "Durable Objects",
};

/** Dashboard card showing `GET /api/health`: overall status, version and each check. */
export function SystemStatusCard() {
  const health = useHealth();

  return (
    <Card aria-busy={health.isFetching}>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          System status
        </CardTitle>
        <CardDescription>The API and the storage it depends on.</CardDescription>
        <CardAction>
          <Button
            variant="ghost"
            size="icon"
            aria-label="Refresh system status"
            disabled={health.isFetching}
            onClick={() => void health.refetch()}
          >
            <RefreshCw className={cn(health.isFetching && "animate-spin")} aria-hidden="true" />
          </Button>
        </CardAction>
      </CardHeader>
      <CardContent>
        {health.isPending ? (
          <StatusSkeleton />
        ) : health.isError ? (
          <StatusError message={health.error.message} onRetry={() => void health.refetch()} />
        ) : (
          <StatusDetails health={health.data} />
        )}
      </CardContent>
    </Card>
  );
}

function StatusSkeleton() {
  return (
    <div role="status" className="space-y-3">
      <span className="sr-only">Checking system status…</span>
      <Skeleton className="h-5 w-40" />
      <Skeleton className="h-4 w-full" />
      <Skeleton className="h-4 w-full" />
      <Skeleton className="h-4 w-2/3" />
    </div>
  );
}

function StatusError({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <div role="alert" className="flex flex-col items-start gap-3">
      <p className="flex items-center gap-2 text-sm font-medium text-destructive">
        <CircleAlert className="size-4" aria-hidden="true" />
        Could not load the system status.
      </p>
      <p className="text-sm text-muted-foreground">{message}</p>
      <Button variant="outline" size="sm" onClick={onRetry}>
        Try again
      </Button>
    </div>
  );
}

function StatusDetails({ health }: { health: Health }) {
  const healthy = health.status === "ok";
  const checks = Object.entries(health.checks);

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <Badge variant={healthy ? "secondary" : "destructive"}>
          {healthy ? "All systems operational" : "Degraded"}
        </Badge>
        <span className="text-sm text-muted-foreground">Version {health.version}</span>
      </div>
      {checks.length === 0 ? (
        <p className="text-sm text-muted-foreground">The server reported no checks.</p>
      ) : (
        <ul aria-label="Checks" className="divide-y rounded-md border">
          {checks.map(([name, result]) => (
            <CheckRow key={name} name={name} result={result} />
          ))}
        </ul>
      )}
    </div>
  );
}

function CheckRow({ name, result }: { name: string; result: string }) {
  const ok = result === CHECK_OK;
  const Icon = ok ? CircleCheck : CircleAlert;

  return (
    <li className="flex items-start gap-3 px-3 py-2 text-sm">
      <Icon
        className={cn("mt-0.5 size-4 shrink-0", ok ? "text-success" : "text-destructive")}
        aria-hidden="true"
      />
      <span className="font-medium">{CHECK_LABELS[name] ?? name}</span>
      <span className={cn("ml-auto text-right", ok ? "text-muted-foreground" : "text-destructive")}>
        {ok ? "OK" : result}
      </span>
    </li>
  );
}
