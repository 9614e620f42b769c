import { describe, expect, it } from "vitest";

import { formatCpu, serverStatus } from "@/features/game-servers/lib/server-status";

describe("serverStatus", () => {
  it("says node offline before anything else", () => {
    expect(serverStatus(null, "running", false)).toEqual({ label: "node offline", tone: "bad" });
  });

  it("prefers Flamingo's status over Wings' state", () => {
    expect(serverStatus("installing", "offline", true).label).toBe("installing");
    expect(serverStatus("suspended", "running", undefined).label).toBe("suspended");
  });

  it("reads Wings' state, offline when unknown", () => {
    expect(serverStatus(null, "running", true).label).toBe("running");
    expect(serverStatus(null, null, undefined).label).toBe("offline");
  });

  it("formats CPU", () => {
    expect(formatCpu(3.14159)).toBe("3.1%");
    expect(formatCpu(150.4)).toBe("150%");
  });
});
