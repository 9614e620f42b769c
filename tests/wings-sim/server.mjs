// One server on the simulated node (server/server.go, power.go, install.go):
// its configuration as Wings decoded it, its process state, the power lock,
// installs that call the panel back, console lines and stdin, open console
// sockets and SFTP sessions. States are only offline, starting, running,
// stopping; every change is pushed to the panel as container status.

/** Errors of a power action, worded as Wings' (server/errors.go). */
export const POWER = {
  installing: "server is currently installing",
  running: "server is already running",
  suspended: "server is suspended",
  locked: "another power action is currently being processed for this server, please try again later",
  unknown: "attempting to handle unknown power action",
};

export class SimServer {
  constructor(wings, configuration, processConfiguration) {
    this.wings = wings;
    this.config = configuration;
    this.process = processConfiguration;
    this.state = "offline";
    this.installing = false;
    this.powerLock = 0;
    this.console = [];
    this.stdin = [];
    this.installLog = null;
    this.installs = [];
    this.sockets = new Set();
    this.deleted = false;
  }

  get id() {
    return this.config.uuid;
  }

  get suspended() {
    return this.config.suspended;
  }

  /** The environment Wings gives the container (GetEnvironmentVariables): its own five first, then the panel's, uppercased, as Variables.Get formats them. */
  environment() {
    const d = this.config.allocations.default;
    const out = [
      `TZ=${typeof this.config.environment?.SERVER_TIMEZONE === "string" && this.config.environment.SERVER_TIMEZONE ? this.config.environment.SERVER_TIMEZONE : "UTC"}`,
      `STARTUP=${this.config.invocation.replaceAll("{{", "${").replaceAll("}}", "}")}`,
      `SERVER_MEMORY=${this.config.build.memory_limit}`,
      `SERVER_IP=${d?.ip ?? ""}`,
      `SERVER_PORT=${d?.port ?? 0}`,
    ];
    for (const [k, v] of Object.entries(this.config.environment ?? {})) {
      if (out.some((e) => e.startsWith(`${k.toUpperCase()}=`))) continue;
      out.push(`${k.toUpperCase()}=${goVariable(v)}`);
    }
    return out;
  }

  /** Replaces the configuration with a fresh one from the panel (Sync); closes sockets and SFTP when now suspended. */
  async sync() {
    const { configuration, processConfiguration } = await this.wings.fetchConfiguration(this.id);
    this.config = configuration;
    this.process = processConfiguration;
    if (this.suspended) this.cancelSessions();
  }

  /** Closes every console socket and SFTP session of this server (or only `user`'s SFTP). */
  cancelSessions(user) {
    for (const s of this.sockets) s.cancel();
    for (const session of this.wings.sftpSessions) {
      if (session.server === this.id && session.open && (user === undefined || session.user === user)) {
        session.open = false;
        session.closedAt = Date.now();
      }
    }
  }

  setState(next) {
    const previous = this.state;
    if (previous === next) return;
    this.state = next;
    this.wings.publish(this, { event: "status", args: [next] });
    this.wings.background(
      this.wings.panel.post(`/servers/${this.id}/container/status`, { data: { previous_state: previous, new_state: next } }).catch((error) => {
        this.wings.log("error pushing server status change to panel", { server: this.id, error: error.message });
        this.wings.problem(`POST /servers/${this.id}/container/status`, `Wings only logs it: ${error.message}`);
      }),
    );
  }

  output(line) {
    this.console.push(line);
    this.wings.publish(this, { event: "console output", args: [line] });
  }

  /** Stats as Wings reports them (ResourceUsage). */
  stats() {
    const up = this.state === "running" || this.state === "starting";
    return {
      memory_bytes: up ? 256 * 1024 * 1024 : 0,
      memory_limit_bytes: up ? this.config.build.memory_limit * 1024 * 1024 : 0,
      cpu_absolute: up ? 1.5 : 0,
      network: { rx_bytes: up ? 1024 : 0, tx_bytes: up ? 2048 : 0 },
      disk_io: { read_bytes: 0, write_bytes: 0 },
      uptime: up ? 1000 : 0,
      state: this.state,
      disk_bytes: 4096,
    };
  }

  /** GET /api/servers/{uuid} (server.APIResponse). */
  apiResponse() {
    return { state: this.state, is_suspended: this.suspended, utilization: this.stats(), configuration: this.config };
  }

  /** HandlePowerAction: resolves when done, rejects with a POWER message. */
  async power(action) {
    if (this.installing) throw new Error(POWER.installing);
    if (!["start", "stop", "restart", "kill"].includes(action)) throw new Error(POWER.unknown);
    if (this.powerLock > 0 && action !== "kill") throw new Error(POWER.locked);
    this.powerLock++;
    try {
      await this.wings.delay(this.wings.options.powerDelayMs);
      if (action === "start") {
        if (this.state !== "offline") throw new Error(POWER.running);
        await this.beforeStart();
        await this.start();
      } else if (action === "stop" || action === "restart") {
        await this.stop();
        if (action === "restart") {
          await this.beforeStart();
          await this.start();
        }
      } else {
        if (this.state !== "offline") {
          this.setState("stopping");
          this.setState("offline");
        }
      }
    } finally {
      this.powerLock--;
    }
  }

  async beforeStart() {
    await this.sync();
    if (this.suspended) throw new Error(POWER.suspended);
  }

  async start() {
    this.setState("starting");
    this.output(`container@pelican~ ${this.environment().find((e) => e.startsWith("STARTUP="))?.slice(8) ?? ""}`);
    await this.wings.delay(this.wings.options.startDelayMs);
    const done = (this.process?.startup?.done ?? []).find((d) => d !== null);
    this.output(done && !done.startsWith("regex:") ? done : "Done (simulated)!");
    if (this.state === "starting") this.setState("running");
  }

  async stop() {
    if (this.state === "offline") return;
    this.setState("stopping");
    const stop = this.process?.stop ?? { type: "", value: "" };
    if (stop.type === "command") this.stdin.push(stop.value);
    this.setState("offline");
  }

  /** s.Install / s.Reinstall: the install script from the panel, then the outcome reported. */
  async install(reinstall) {
    if (reinstall) {
      if (this.state !== "offline") await this.stop();
      await this.sync();
    }
    let ok = true;
    if (!this.config.skip_egg_scripts) {
      this.installing = true;
      this.wings.publish(this, { event: "install started" });
      try {
        const script = await this.wings.fetchInstallScript(this.id);
        this.installs.push({ reinstall, script });
        await this.wings.delay(this.wings.options.installDelayMs);
        ok = this.wings.options.installSucceeds(this, script);
        this.installLog = `| Script Output\n| ------------------------------\n${script.script.split("\n")[0]}\n${ok ? "install done" : "install failed"}\n`;
        this.wings.publish(this, { event: "install output", args: [ok ? "install done" : "install failed"] });
      } catch (error) {
        ok = false;
        this.wings.log("failed to execute server installation process", { server: this.id, error: error.message });
      } finally {
        this.installing = false;
        this.wings.publish(this, { event: "install completed" });
      }
    } else {
      this.installs.push({ reinstall, script: null });
    }
    await this.wings.panel.post(`/servers/${this.id}/install`, { successful: ok, reinstall }).catch((error) => {
      this.wings.log("failed to notify panel of server install state", { server: this.id, error: error.message });
      this.wings.problem(`POST /servers/${this.id}/install`, `Wings only logs it: ${error.message}`);
    });
    return ok;
  }
}

/** environment.Variables.Get: strings as they are, float64 with %f, bools as true/false. */
export function goVariable(v) {
  if (typeof v === "string") return v;
  if (typeof v === "number") return v.toFixed(6);
  if (typeof v === "boolean") return String(v);
  return "";
}
