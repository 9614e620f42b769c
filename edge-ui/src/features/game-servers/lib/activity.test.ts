import { describe, expect, it } from "vitest";

import { describeMetadata, eventFilter } from "@/features/game-servers/lib/activity";

describe("activity filters", () => {
  it("turns typed text into a prefix filter", () => {
    expect(eventFilter("")).toBeUndefined();
    expect(eventFilter(" server:power ")).toBe("server:power*");
    expect(eventFilter("server:file.*")).toBe("server:file.*");
  });

  it("describes metadata in one line", () => {
    expect(describeMetadata({ file: "/a.txt", count: 2 })).toBe("file: /a.txt, count: 2");
    expect(describeMetadata({ long: "x".repeat(100) })).toHaveLength("long: ".length + 80);
  });
});
