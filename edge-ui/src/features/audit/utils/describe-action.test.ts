/// <reference types="node" />
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

import { describe, expect, it } from "vitest";

import {
  ACTIONS,
  actionsMatching,
  describeAction,
  describeEntry,
  entrySentence,
  isActionCode,
} from "@/features/audit/utils/describe-action";

/** edge-api's sources, read at test time: the actions it can write. */
const RUST_SRC = resolve(process.cwd(), "../edge-api/src");

function readRust(dir: string, into: Record<string, string> = {}): Record<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) readRust(path, into);
    else if (entry.name.endsWith(".rs")) into[path] = readFileSync(path, "utf8");
  }
  return into;
}

const rustSources = readRust(RUST_SRC);

/**
 * Every `"noun.verb"` literal in edge-api's non-test code that is an audit
 * action: `action: "member.join"` in an `audit::Entry`, or one passed to a
 * helper that builds the entry (`commit_codes(..., "totp.enable", ...)`).
 * Live event names (`NewEvent::new("tunnel_host.enrolled", ...)`, the
 * constants in record/events.rs) and SQL names (`m.contains("users.email")`)
 * are not actions.
 */
function actionsTheApiWrites(): Set<string> {
  const found = new Set<string>();
  for (const [path, source] of Object.entries(rustSources)) {
    if (path.endsWith(join("record", "events.rs"))) continue;
    // Only files that write audit entries; elsewhere `"a.b"` is a permission
    // string, an egg's file name or a field path.
    if (!source.includes("audit")) continue;
    const code = source.split("#[cfg(test)]")[0] ?? "";
    for (const match of code.matchAll(/"([a-z_]+\.[a-z_]+)"/g)) {
      const before = code.slice(Math.max(0, match.index - 60), match.index);
      if (/NewEvent::new\(\s*$/.test(before) || before.endsWith("contains(")) continue;
      // A server permission a handler requires, compares or grants (`vec!["websocket.connect"...]`).
      if (/(require|may|perm)\(\s*$/.test(before) || /(vec!\[|==)\s*$/.test(before)) continue;
      if (match[1]) found.add(match[1]);
    }
  }
  return found;
}

describe("audit actions", () => {
  const emitted = actionsTheApiWrites();

  it("finds the actions in edge-api's sources", () => {
    expect(Object.keys(rustSources).length).toBeGreaterThan(10);
    for (const known of ["tunnel.kick", "tunnel_host.create", "tunnel_name.reserve", "totp.enable", "member.join"])
      expect(emitted).toContain(known);
  });

  it("has a sentence for every action edge-api writes", () => {
    const missing = [...emitted].filter((action) => !(action in ACTIONS));
    expect(missing).toEqual([]);
  });

  it("words only actions edge-api writes", () => {
    const stale = Object.keys(ACTIONS).filter((action) => !emitted.has(action));
    expect(stale).toEqual([]);
  });

  it("never shows a raw code", () => {
    for (const action of emitted) {
      expect(describeAction(action)).not.toContain(action);
      expect(describeAction(action)).toMatch(/^[a-z]/);
    }
  });
});

describe("describeEntry", () => {
  it("reads the entry's details as part of the sentence", () => {
    expect(
      entrySentence({
        action: "tunnel.kick",
        actor_name: "Ada Lovelace",
        metadata: { name: "myapp", host: "vps-1", host_id: "h1" },
      }),
    ).toBe("Ada Lovelace kicked the tunnel myapp on vps-1.");
    expect(describeEntry({ action: "tunnel_host.create", metadata: { name: "edge-1" } })).toBe(
      "added the tunnel host edge-1",
    );
    expect(
      describeEntry({ action: "tunnel_name.reserve", metadata: { name: "docs", user: "Grace", user_id: "u" } }),
    ).toBe("reserved the tunnel name docs for Grace");
    expect(describeEntry({ action: "member.invite", metadata: { role: "admin", email: "bo@example.com" } })).toBe(
      "invited bo@example.com as an admin",
    );
  });

  it("falls back to the plain wording without details, and to words for unknown actions", () => {
    expect(describeEntry({ action: "tunnel.kick", metadata: {} })).toBe("kicked a tunnel");
    expect(describeEntry({ action: "game_server.start", metadata: null })).toBe("did game server start");
  });
});

describe("actionsMatching", () => {
  it("maps plain words to actions", () => {
    expect(actionsMatching("kick")).toContain("tunnel.kick");
    expect(actionsMatching("Revoked").sort()).toEqual(["api_key.revoke", "invitation.revoke"]);
    expect(actionsMatching("api key").sort()).toEqual(["api_key.create", "api_key.revoke"]);
    expect(actionsMatching("2fa").sort()).toEqual(["totp.disable", "totp.enable", "totp.recovery_codes"]);
    expect(actionsMatching("tunnel host").sort()).toEqual([
      "tunnel_host.create",
      "tunnel_host.delete",
      "tunnel_host.enroll",
    ]);
    expect(actionsMatching("member").sort()).toEqual([
      "member.invite",
      "member.join",
      "member.remove",
      "member.role_change",
    ]);
    expect(actionsMatching("zebra")).toEqual([]);
  });

  it("tells codes from words", () => {
    expect(isActionCode("member.join")).toBe(true);
    expect(isActionCode("member.*")).toBe(true);
    expect(isActionCode("member")).toBe(false);
    expect(isActionCode("api key")).toBe(false);
  });
});
