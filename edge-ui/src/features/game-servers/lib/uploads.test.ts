import { describe, expect, it } from "vitest";

import { groupByDirectory, percent } from "@/features/game-servers/lib/uploads";

const file = (name: string) => new File(["x"], name);

describe("uploads", () => {
  it("groups a dropped folder into one request per directory", () => {
    const groups = groupByDirectory("/plugins", [
      { file: file("a.yml"), relativePath: "Essentials/a.yml" },
      { file: file("b.yml"), relativePath: "Essentials/sub/b.yml" },
      { file: file("c.jar"), relativePath: "c.jar" },
      { file: file("d.yml"), relativePath: "Essentials/d.yml" },
    ]);
    expect(groups.map(([dir, files]) => [dir, files.map((f) => f.name)])).toEqual([
      ["/plugins", ["c.jar"]],
      ["/plugins/Essentials", ["a.yml", "d.yml"]],
      ["/plugins/Essentials/sub", ["b.yml"]],
    ]);
  });

  it("never lands above the root", () => {
    expect(groupByDirectory("/", [{ file: file("x"), relativePath: "../../x" }])[0]?.[0]).toBe("/");
  });

  it("computes progress", () => {
    expect(percent(50, 200)).toBe(25);
    expect(percent(0, 0)).toBe(100);
    expect(percent(300, 200)).toBe(100);
  });
});
