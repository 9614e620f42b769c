import { describe, expect, it } from "vitest";

import type { FileStat } from "@/api/generated/FileStat";
import {
  filterEntries,
  isArchive,
  isEditable,
  languageFor,
  nextSort,
  sortEntries,
} from "@/features/game-servers/lib/file-list";

function entry(name: string, over: Partial<FileStat> = {}): FileStat {
  return {
    name,
    created: "2026-01-01T00:00:00Z",
    modified: "2026-01-01T00:00:00Z",
    mode: "-rw-r--r--",
    mode_bits: "644",
    size: 1,
    directory: false,
    file: true,
    symlink: false,
    mime: "text/plain",
    ...over,
  };
}

const dir = (name: string) => entry(name, { directory: true, file: false, mime: "inode/directory", size: 4096 });

describe("sortEntries", () => {
  it("puts directories first and names in natural order", () => {
    const sorted = sortEntries([entry("file10"), dir("world"), entry("file2"), dir("plugins")], {
      key: "name",
      direction: "asc",
    });
    expect(sorted.map((e) => e.name)).toEqual(["plugins", "world", "file2", "file10"]);
    const desc = sortEntries([entry("a"), entry("b"), dir("d")], { key: "name", direction: "desc" });
    expect(desc.map((e) => e.name)).toEqual(["d", "b", "a"]);
  });

  it("sorts by size and date, ties by name", () => {
    const list = [
      entry("big", { size: 300 }),
      entry("small", { size: 1 }),
      entry("also-small", { size: 1 }),
      entry("new", { size: 5, modified: "2026-06-01T00:00:00Z" }),
    ];
    expect(sortEntries(list, { key: "size", direction: "asc" }).map((e) => e.name)).toEqual([
      "also-small",
      "small",
      "new",
      "big",
    ]);
    expect(sortEntries(list, { key: "modified", direction: "desc" })[0]?.name).toBe("new");
  });

  it("does not change its input", () => {
    const list = [entry("b"), entry("a")];
    sortEntries(list, { key: "name", direction: "asc" });
    expect(list.map((e) => e.name)).toEqual(["b", "a"]);
  });
});

describe("filterEntries and nextSort", () => {
  it("filters by name, case-insensitive", () => {
    const list = [entry("Needle-here.cfg"), entry("hay")];
    expect(filterEntries(list, "needle").map((e) => e.name)).toEqual(["Needle-here.cfg"]);
    expect(filterEntries(list, "  ")).toBe(list);
  });

  it("flips the same column and starts a new one ascending", () => {
    expect(nextSort({ key: "name", direction: "asc" }, "name")).toEqual({ key: "name", direction: "desc" });
    expect(nextSort({ key: "name", direction: "desc" }, "size")).toEqual({ key: "size", direction: "asc" });
  });
});

describe("file types", () => {
  it("picks the editor's language by extension", () => {
    expect(languageFor("config.yml")).toBe("yaml");
    expect(languageFor("server.properties")).toBe("properties");
    expect(languageFor("start.sh")).toBe("shell");
    expect(languageFor("index.JS")).toBe("javascript");
    expect(languageFor("eula")).toBe("plain");
  });

  it("edits text files up to 1 MiB, not directories or binaries", () => {
    expect(isEditable(entry("a.txt"))).toBe(true);
    expect(isEditable(entry("a.jar", { mime: "application/java-archive" }))).toBe(false);
    expect(isEditable(entry("big.log", { size: 2 * 1024 * 1024 }))).toBe(false);
    expect(isEditable(dir("world"))).toBe(false);
    expect(isArchive("world.tar.gz")).toBe(true);
    expect(isArchive("world.dat")).toBe(false);
  });
});
