import type { HostStatus } from "@/api/generated/HostStatus";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils";

/** A small coloured dot: green when online, grey when not. */
export function OnlineDot({ online }: { online: boolean }) {
  return (
    <span
      aria-hidden="true"
      className={cn("inline-block size-2 shrink-0 rounded-full", online ? "bg-success" : "bg-muted-foreground/50")}
    />
  );
}

const STATUS_LABELS: Record<HostStatus, string> = {
  online: "Online",
  offline: "Offline",
  pending: "Pending enrollment",
};

/** A host's status as a badge. */
export function HostStatusBadge({ status }: { status: HostStatus }) {
  return (
    <Badge variant={status === "pending" ? "outline" : "secondary"}>
      {status === "pending" ? null : <OnlineDot online={status === "online"} />}
      {STATUS_LABELS[status]}
    </Badge>
  );
}
