import { describe, expect, it } from "vitest";

import {
  baseName,
  breadcrumbs,
  joinPath,
  moveTarget,
  normalizePath,
  parentPath,
  relativeTo,
  validEntryName,
} from "@/features/game-servers/lib/paths";

describe("paths", () => {
  it("normalizes and never climbs above the root", () => {
    expect(normalizePath("")).toBe("/");
    expect(normalizePath("world//region/./r.0.0.mca")).toBe("/world/region/r.0.0.mca");
    expect(normalizePath("/../../etc/passwd")).toBe("/etc/passwd");
    expect(normalizePath("/a/b/../c/")).toBe("/a/c");
  });

  it("joins, splits and names", () => {
    expect(joinPath("/", "server.properties")).toBe("/server.properties");
    expect(joinPath("/world", "../plugins")).toBe("/plugins");
    expect(parentPath("/world/level.dat")).toBe("/world");
    expect(parentPath("/world")).toBe("/");
    expect(parentPath("/")).toBe("/");
    expect(baseName("/world/level.dat")).toBe("level.dat");
    expect(baseName("/")).toBe("");
  });

  it("builds breadcrumbs from the root down", () => {
    expect(breadcrumbs("/plugins/Essentials")).toEqual([
      { name: "Home", path: "/" },
      { name: "plugins", path: "/plugins" },
      { name: "Essentials", path: "/plugins/Essentials" },
    ]);
    expect(breadcrumbs("/")).toEqual([{ name: "Home", path: "/" }]);
  });

  it("resolves rename and move targets", () => {
    expect(moveTarget("/world", "level.old")).toBe("/world/level.old");
    expect(moveTarget("/world", "/backup/level.dat")).toBe("/backup/level.dat");
    expect(moveTarget("/world", "../x")).toBe("/x");
    expect(moveTarget("/world", "  ")).toBeNull();
    expect(moveTarget("/", "/")).toBeNull();
  });

  it("makes names relative to a root", () => {
    expect(relativeTo("/", "/world/level.dat")).toBe("world/level.dat");
    expect(relativeTo("/world", "/world/level.dat")).toBe("level.dat");
    expect(relativeTo("/world", "/other/x")).toBe("other/x");
  });

  it("checks new names", () => {
    expect(validEntryName("config")).toBeUndefined();
    expect(validEntryName("")).toBe("Give it a name.");
    expect(validEntryName("a/b")).toMatch(/slash/);
    expect(validEntryName("..")).toMatch(/reserved/);
  });
});
