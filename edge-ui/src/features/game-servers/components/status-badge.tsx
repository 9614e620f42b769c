import { cn } from "@/lib/utils";
import type { StatusView } from "@/features/game-servers/lib/server-status";

const TONES: Record<StatusView["tone"], string> = {
  ok: "bg-emerald-600",
  busy: "bg-amber-500",
  off: "bg-muted-foreground",
  bad: "bg-destructive",
};

/** A coloured dot and the status in words (the words carry the meaning; the colour only helps). */
export function StatusBadge({ status, className }: { status: StatusView; className?: string }) {
  return (
    <span className={cn("inline-flex items-center gap-1.5 text-sm whitespace-nowrap", className)}>
      <span className={cn("size-2 rounded-full", TONES[status.tone])} aria-hidden="true" />
      {status.label}
    </span>
  );
}
