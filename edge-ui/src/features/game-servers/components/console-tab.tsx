import { Loader2, WifiOff } from "lucide-react";
import { useCallback, useRef, useState, type KeyboardEvent } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { useConsole } from "@/features/game-servers/api/use-console";
import { LiveChart } from "@/features/game-servers/components/live-chart";
import { PowerButtons } from "@/features/game-servers/components/power-buttons";
import type { ServerTabProps } from "@/features/game-servers/server-tabs";
import { TerminalView, type TerminalHandle } from "@/features/game-servers/components/terminal-view";
import { emptyHistory, newer, older, remember } from "@/features/game-servers/lib/command-history";
import {
  emptySeries,
  pushPoint,
  rate,
  type ConsoleStats,
  type Series,
} from "@/features/game-servers/lib/console-frames";
import { formatCpu } from "@/features/game-servers/lib/server-status";
import { formatBytes } from "@/lib/format";
import { notifyError } from "@/lib/notify";

type Charts = {
  cpu: Series;
  memory: Series;
  network: Series;
  last: ConsoleStats | null;
  counters: { rx: number; tx: number; time: number } | null;
  rx: number;
  tx: number;
};

const initialCharts: Charts = {
  cpu: emptySeries(1),
  memory: emptySeries(1),
  network: emptySeries(2),
  last: null,
  counters: null,
  rx: 0,
  tx: 0,
};

function addStats(charts: Charts, stats: ConsoleStats, time: number): Charts {
  const previous = charts.counters;
  const rx = rate(previous && { bytes: previous.rx, time: previous.time }, stats.rxBytes, time);
  const tx = rate(previous && { bytes: previous.tx, time: previous.time }, stats.txBytes, time);
  return {
    cpu: pushPoint(charts.cpu, time, [stats.cpuAbsolute]),
    memory: pushPoint(charts.memory, time, [stats.memoryBytes]),
    network: pushPoint(charts.network, time, [rx, tx]),
    last: stats,
    counters: { rx: stats.rxBytes, tx: stats.txBytes, time },
    rx,
    tx,
  };
}

/** The live console: terminal, command line with history, power, and CPU/memory/network charts. */
export function ConsoleTab({ org, detail, can }: ServerTabProps) {
  const { server } = detail;
  const terminal = useRef<TerminalHandle>(null);
  const [state, setState] = useState(server.container_state ?? "offline");
  const [charts, setCharts] = useState<Charts>(initialCharts);
  const [line, setLine] = useState("");
  const [history, setHistory] = useState(emptyHistory);

  const onLine = useCallback((text: string) => terminal.current?.writeLine(text), []);
  const onStats = useCallback((stats: ConsoleStats) => {
    setState(stats.state);
    setCharts((c) => addStats(c, stats, Date.now() / 1000));
  }, []);
  const onReset = useCallback(() => terminal.current?.clear(), []);
  const { connection, send } = useConsole(org, server.id, { onLine, onStats, onState: setState, onReset });
  const mayType = can("control.console");

  const submit = () => {
    if (line.trim() === "") return;
    if (!send("send command", line)) {
      notifyError("Could not send the command", new Error("The console is not connected yet. Try again in a moment."));
      return;
    }
    setHistory((h) => remember(h, line));
    setLine("");
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowUp") {
      event.preventDefault();
      const [next, shown] = older(history, line);
      setHistory(next);
      setLine(shown);
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      const [next, shown] = newer(history, line);
      setHistory(next);
      setLine(shown);
    }
  };

  const memoryLimit = charts.last?.memoryLimitBytes ?? 0;

  return (
    <section aria-labelledby="console-heading" className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="console-heading" className="text-lg font-semibold">
          Console
        </h2>
        <PowerButtons org={org} server={server.id} name={server.name} state={state} can={can} />
      </div>
      <div role="status" aria-live="polite" className="min-h-6 text-sm">
        {connection.kind === "connecting" ? (
          <span className="inline-flex items-center gap-2 text-muted-foreground">
            <Loader2 className="size-4 animate-spin" aria-hidden="true" />
            Connecting to the console…
          </span>
        ) : connection.kind === "reconnecting" ? (
          <span className="inline-flex items-center gap-2 font-medium text-amber-700 dark:text-amber-400">
            <WifiOff className="size-4" aria-hidden="true" />
            Reconnecting… the console comes back by itself.
          </span>
        ) : connection.kind === "closed" ? (
          <span className="font-medium text-destructive">Console closed: {connection.reason}</span>
        ) : (
          <span className="text-muted-foreground">
            Connected · <span className="font-medium text-foreground">{state}</span>
          </span>
        )}
      </div>
      <TerminalView ref={terminal} label={`Console of ${server.name}`} />
      {mayType ? (
        <form
          className="flex gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <label htmlFor="console-command" className="sr-only">
            Command
          </label>
          <Input
            id="console-command"
            autoComplete="off"
            spellCheck={false}
            placeholder="Type a command; ↑ and ↓ walk through earlier ones"
            className="font-mono"
            value={line}
            onChange={(e) => {
              setLine(e.target.value);
            }}
            onKeyDown={onKeyDown}
            disabled={connection.kind === "closed"}
          />
          <Button type="submit" disabled={connection.kind !== "connected"}>
            Send
          </Button>
        </form>
      ) : (
        <p className="text-sm text-muted-foreground">You can watch this console but not type in it.</p>
      )}
      <div className="grid gap-3 md:grid-cols-3">
        <LiveChart
          title="CPU"
          current={charts.last ? formatCpu(charts.last.cpuAbsolute) : "–"}
          series={charts.cpu}
          lines={[{ label: "CPU", color: "#e0529c" }]}
          format={(v) => formatCpu(v)}
        />
        <LiveChart
          title="Memory"
          current={
            charts.last
              ? `${formatBytes(charts.last.memoryBytes)}${memoryLimit > 0 ? ` of ${formatBytes(memoryLimit)}` : ""}`
              : "–"
          }
          series={charts.memory}
          lines={[{ label: "Memory", color: "#3b82f6" }]}
          format={(v) => formatBytes(v)}
        />
        <LiveChart
          title="Network"
          current={charts.last ? `↓ ${formatBytes(charts.rx)}/s ↑ ${formatBytes(charts.tx)}/s` : "–"}
          series={charts.network}
          lines={[
            { label: "Received", color: "#10b981" },
            { label: "Sent", color: "#f59e0b" },
          ]}
          format={(v) => `${formatBytes(v)}/s`}
        />
      </div>
    </section>
  );
}
