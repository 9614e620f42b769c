import { describe, expect, it } from "vitest";

import { emptyHistory, newer, older, remember } from "@/features/game-servers/lib/command-history";

describe("command history", () => {
  it("walks back and forward and gives the draft back at the bottom", () => {
    let h = remember(remember(remember(emptyHistory, "list"), "say hi"), "time set day");
    let line: string;
    [h, line] = older(h, "half typed");
    expect(line).toBe("time set day");
    [h, line] = older(h, line);
    expect(line).toBe("say hi");
    [h, line] = older(h, line);
    expect(line).toBe("list");
    [h, line] = older(h, line);
    expect(line).toBe("list");
    [h, line] = newer(h, line);
    expect(line).toBe("say hi");
    [h, line] = newer(h, line);
    expect(line).toBe("time set day");
    [h, line] = newer(h, line);
    expect(line).toBe("half typed");
    expect(h.cursor).toBeNull();
  });

  it("does not store blanks or an immediate repeat, and keeps the newest up to the limit", () => {
    let h = remember(emptyHistory, "   ");
    expect(h.entries).toEqual([]);
    h = remember(remember(h, "a"), "a");
    expect(h.entries).toEqual(["a"]);
    for (const c of ["b", "c", "d"]) h = remember(h, c, 3);
    expect(h.entries).toEqual(["b", "c", "d"]);
  });

  it("does nothing with no history", () => {
    expect(older(emptyHistory, "x")).toEqual([emptyHistory, "x"]);
    expect(newer(emptyHistory, "x")).toEqual([emptyHistory, "x"]);
  });
});
