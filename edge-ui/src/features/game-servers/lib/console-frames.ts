/** A frame on the console socket, as Wings (through Flamingo's relay) sends it: `{event, args?}`. */
export type ConsoleFrame = { event: string; args: string[] };

/** Reads one socket message; null for anything that is not a frame. */
export function parseFrame(data: unknown): ConsoleFrame | null {
  if (typeof data !== "string") return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== "object" || !("event" in parsed) || typeof parsed.event !== "string") return null;
  const args = "args" in parsed && Array.isArray(parsed.args) ? parsed.args.map((a: unknown) => (typeof a === "string" ? a : JSON.stringify(a))) : [];
  return { event: parsed.event, args };
}

/** A frame to send. */
export function frame(event: string, ...args: string[]): string {
  return JSON.stringify(args.length > 0 ? { event, args } : { event });
}

/** One `stats` frame's figures. */
export type ConsoleStats = {
  state: string;
  cpuAbsolute: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  diskBytes: number;
  rxBytes: number;
  txBytes: number;
  uptimeMs: number;
};

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** Reads a `stats` frame's JSON argument; null when it is not one. */
export function parseStats(arg: string | undefined): ConsoleStats | null {
  if (arg === undefined) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(arg);
  } catch {
    return null;
  }
  if (!raw || typeof raw !== "object") return null;
  const r = raw as Record<string, unknown>;
  const network = (r.network && typeof r.network === "object" ? r.network : {}) as Record<string, unknown>;
  return {
    state: typeof r.state === "string" ? r.state : "offline",
    cpuAbsolute: num(r.cpu_absolute),
    memoryBytes: num(r.memory_bytes),
    memoryLimitBytes: num(r.memory_limit_bytes),
    diskBytes: num(r.disk_bytes),
    rxBytes: num(network.rx_bytes),
    txBytes: num(network.tx_bytes),
    uptimeMs: num(r.uptime),
  };
}

/** Points kept per chart (two minutes at one a second). */
export const CHART_POINTS = 120;

/** Live chart data: times (seconds) and one column per series, oldest first, at most `max` points. */
export type Series = { times: number[]; columns: number[][] };

export function emptySeries(columns: number): Series {
  return { times: [], columns: Array.from({ length: columns }, () => []) };
}

/** Appends a point, dropping the oldest past `max`. Returns a new value. */
export function pushPoint(series: Series, time: number, values: readonly number[], max = CHART_POINTS): Series {
  const cut = series.times.length + 1 > max ? 1 : 0;
  return {
    times: [...series.times.slice(cut), time],
    columns: series.columns.map((column, i) => [...column.slice(cut), values[i] ?? 0]),
  };
}

/**
 * Bytes per second between two cumulative counters; 0 for the first sample
 * or when the counter went back (the container restarted).
 */
export function rate(previous: { bytes: number; time: number } | null, bytes: number, time: number): number {
  if (!previous || time <= previous.time || bytes < previous.bytes) return 0;
  return (bytes - previous.bytes) / (time - previous.time);
}

/**
 * Close codes after which the console does not reconnect by itself: the
 * viewer lost access (4403), the server was suspended (4409) or deleted
 * (4410), or the relay refused the viewer (4401, 1008). Their sentence.
 */
const FINAL_CLOSES: Record<number, string> = {
  1008: "The console refused this connection.",
  4401: "Your session ended. Sign in again to use the console.",
  4403: "Your access to this server was removed.",
  4409: "The server was suspended.",
  4410: "The server was deleted.",
};

/** Why the console stays closed after `code`, or undefined when it should reconnect. */
export function finalCloseReason(code: number): string | undefined {
  return FINAL_CLOSES[code];
}

/** Waits before reconnect attempt `attempt` (0-based): 0.5 s doubling to 10 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 10_000);
}
