import { Loader2, Play, RotateCcw, Skull, Square } from "lucide-react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { Button } from "@/components/ui/button";
import { usePower, type PowerSignal } from "@/features/game-servers/api/servers";

/** Start, stop, restart and kill (kill asks first), each shown only with its permission. */
export function PowerButtons({
  org,
  server,
  name,
  state,
  can,
}: {
  org: string;
  server: string;
  name: string;
  /** The state Wings last reported. */
  state: string;
  can: (permission: string) => boolean;
}) {
  const power = usePower(org, server);
  const busy = (signal: PowerSignal) => power.isPending && power.variables === signal;
  const icon = (signal: PowerSignal, Icon: typeof Play) =>
    busy(signal) ? <Loader2 className="animate-spin" aria-hidden="true" /> : <Icon aria-hidden="true" />;
  const running = state === "running" || state === "starting";

  return (
    <div className="flex flex-wrap gap-2" role="group" aria-label="Power">
      {can("control.start") ? (
        <Button size="sm" disabled={power.isPending || running} onClick={() => { power.mutate("start"); }}>
          {icon("start", Play)}
          Start
        </Button>
      ) : null}
      {can("control.restart") ? (
        <Button size="sm" variant="outline" disabled={power.isPending} onClick={() => { power.mutate("restart"); }}>
          {icon("restart", RotateCcw)}
          Restart
        </Button>
      ) : null}
      {can("control.stop") ? (
        <>
          <Button
            size="sm"
            variant="outline"
            disabled={power.isPending || state === "offline"}
            onClick={() => { power.mutate("stop"); }}
          >
            {icon("stop", Square)}
            Stop
          </Button>
          <ConfirmDialog
            trigger={
              <Button size="sm" variant="destructive" disabled={power.isPending || state === "offline"}>
                {icon("kill", Skull)}
                Kill
              </Button>
            }
            title={`Kill ${name}?`}
            description="The process is ended at once, without saving. Unsaved world data may be lost."
            confirmLabel="Kill"
            onConfirm={() => { power.mutate("kill"); }}
          />
        </>
      ) : null}
    </div>
  );
}
