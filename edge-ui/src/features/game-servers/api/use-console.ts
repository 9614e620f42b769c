import { useCallback, useEffect, useRef, useState } from "react";

import { serverPath } from "@/features/game-servers/api/servers";
import {
  finalCloseReason,
  frame,
  parseFrame,
  parseStats,
  reconnectDelay,
  type ConsoleStats,
} from "@/features/game-servers/lib/console-frames";

/** Where the console stands, as the page shows it. */
export type ConsoleConnection =
  | { kind: "connecting" }
  | { kind: "connected" }
  /** The socket dropped, or the relay lost the node: trying again by itself. */
  | { kind: "reconnecting" }
  /** Closed for good (access removed, suspended, deleted): the sentence says why. */
  | { kind: "closed"; reason: string };

type Handlers = {
  /** A console line (ANSI colours kept), as it comes. */
  onLine: (line: string) => void;
  /** A `stats` frame. */
  onStats: (stats: ConsoleStats) => void;
  /** The server's state changed (`status` frames). */
  onState: (state: string) => void;
  /** The lines shown so far are about to come again (a new socket, or the relay back on Wings): clear them. */
  onReset: () => void;
};

/** Asked while connected, so the charts move even where Wings sends stats only when asked. */
const STATS_EVERY_MS = 2_000;

function consoleUrl(org: string, server: string): string {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}${serverPath(org, server, "/console")}`;
}

/**
 * The server's console through Flamingo's relay (`GET …/console`, a
 * WebSocket): lines, stats and state as they come; reconnects by itself
 * with backoff (and says so); each time the relay replays its last lines.
 * `send(event, ...args)` sends a frame while connected.
 */
export function useConsole(org: string, server: string, handlers: Handlers) {
  const [connection, setConnection] = useState<ConsoleConnection>({ kind: "connecting" });
  const socket = useRef<WebSocket | null>(null);
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });

  useEffect(() => {
    let stopped = false;
    let attempt = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let poll: ReturnType<typeof setInterval> | undefined;

    const connect = () => {
      const ws = new WebSocket(consoleUrl(org, server));
      socket.current = ws;
      ws.addEventListener("open", () => {
        attempt = 0;
        setConnection({ kind: "connected" });
        // The relay sends its last lines to every socket that joins: the screen starts over with them.
        latest.current.onReset();
        ws.send(frame("send stats"));
        poll = setInterval(() => {
          if (ws.readyState === WebSocket.OPEN) ws.send(frame("send stats"));
        }, STATS_EVERY_MS);
      });
      ws.addEventListener("message", (event: MessageEvent) => {
        const f = parseFrame(event.data);
        if (!f) return;
        switch (f.event) {
          case "console output":
          case "install output":
            for (const line of f.args) latest.current.onLine(line);
            break;
          case "daemon message":
            for (const line of f.args) latest.current.onLine(`\u001b[1;33m[Wings]\u001b[0m ${line}`);
            break;
          case "daemon error":
            for (const line of f.args) latest.current.onLine(`\u001b[1;31m[Wings]\u001b[0m ${line}`);
            break;
          case "stats": {
            const stats = parseStats(f.args[0]);
            if (stats) latest.current.onStats(stats);
            break;
          }
          case "status":
            if (f.args[0]) latest.current.onState(f.args[0]);
            break;
          case "reconnecting":
            setConnection({ kind: "reconnecting" });
            break;
          case "reconnected":
            // The relay reached Wings again and asked for its last lines: they replace the screen's.
            latest.current.onReset();
            setConnection({ kind: "connected" });
            ws.send(frame("send stats"));
            break;
          default:
            break;
        }
      });
      ws.addEventListener("close", (event: CloseEvent) => {
        clearInterval(poll);
        if (socket.current === ws) socket.current = null;
        if (stopped) return;
        const reason = finalCloseReason(event.code);
        if (reason) {
          setConnection({ kind: "closed", reason });
          return;
        }
        setConnection({ kind: "reconnecting" });
        retry = setTimeout(connect, reconnectDelay(attempt));
        attempt += 1;
      });
    };

    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      clearInterval(poll);
      socket.current?.close(1000);
      socket.current = null;
    };
  }, [org, server]);

  const send = useCallback((event: string, ...args: string[]) => {
    const ws = socket.current;
    if (ws?.readyState !== WebSocket.OPEN) return false;
    ws.send(frame(event, ...args));
    return true;
  }, []);

  return { connection, send };
}
