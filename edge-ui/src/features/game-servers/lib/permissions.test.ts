import { describe, expect, it } from "vitest";

import { serverCan } from "@/features/game-servers/lib/permissions";

describe("serverCan", () => {
  it("follows a subuser's list, with * for everything", () => {
    expect(serverCan(["control.console"], undefined, "control.console")).toBe(true);
    expect(serverCan(["control.console"], undefined, "control.start")).toBe(false);
    expect(serverCan(["*"], undefined, "file.delete")).toBe(true);
  });

  it("lets every member read and only writers act", () => {
    expect(serverCan(null, "viewer", "file.read")).toBe(true);
    expect(serverCan(null, "viewer", "websocket.connect")).toBe(true);
    expect(serverCan(null, "viewer", "control.start")).toBe(false);
    expect(serverCan(null, "operator", "control.start")).toBe(true);
  });

  it("gives nothing to a stranger", () => {
    expect(serverCan(null, undefined, "file.read")).toBe(false);
  });
});
