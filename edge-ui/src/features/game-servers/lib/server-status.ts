/** What a server's status column says, and how loudly. */
export type StatusView = { label: string; tone: "ok" | "busy" | "off" | "bad" };

/**
 * A server's status in words, from (most telling first) the node being
 * down, its Flamingo status (installing, suspended, ...), then the state
 * Wings last reported: "running", "starting", "stopping", "offline".
 */
export function serverStatus(
  status: string | null,
  containerState: string | null,
  nodeOnline: boolean | undefined,
): StatusView {
  if (nodeOnline === false) return { label: "node offline", tone: "bad" };
  switch (status) {
    case "installing":
      return { label: "installing", tone: "busy" };
    case "install_failed":
      return { label: "install failed", tone: "bad" };
    case "reinstall_failed":
      return { label: "reinstall failed", tone: "bad" };
    case "suspended":
      return { label: "suspended", tone: "bad" };
    case "restoring_backup":
      return { label: "restoring backup", tone: "busy" };
    default:
      break;
  }
  switch (containerState) {
    case "running":
      return { label: "running", tone: "ok" };
    case "starting":
      return { label: "starting", tone: "busy" };
    case "stopping":
      return { label: "stopping", tone: "busy" };
    default:
      return { label: "offline", tone: "off" };
  }
}

/** A CPU figure as Wings gives it (percent of one core, may pass 100). */
export function formatCpu(cpuAbsolute: number): string {
  return `${cpuAbsolute.toFixed(cpuAbsolute < 10 ? 1 : 0)}%`;
}
