import { describe, expect, it } from "vitest";

import {
  emptySeries,
  finalCloseReason,
  frame,
  parseFrame,
  parseStats,
  pushPoint,
  rate,
  reconnectDelay,
} from "@/features/game-servers/lib/console-frames";

describe("console frames", () => {
  it("reads frames and ignores anything else", () => {
    expect(parseFrame('{"event":"console output","args":["\\u001b[32mDone\\u001b[0m"]}')).toEqual({
      event: "console output",
      args: ["\u001b[32mDone\u001b[0m"],
    });
    expect(parseFrame('{"event":"reconnecting"}')).toEqual({ event: "reconnecting", args: [] });
    expect(parseFrame("not json")).toBeNull();
    expect(parseFrame('{"args":[]}')).toBeNull();
    expect(parseFrame(new ArrayBuffer(2))).toBeNull();
  });

  it("writes frames as Wings reads them", () => {
    expect(frame("send logs")).toBe('{"event":"send logs"}');
    expect(frame("send command", "say hi")).toBe('{"event":"send command","args":["say hi"]}');
  });

  it("reads stats, zero for what is missing", () => {
    const stats = parseStats(
      JSON.stringify({ state: "running", cpu_absolute: 12.5, memory_bytes: 100, network: { rx_bytes: 5, tx_bytes: 7 } }),
    );
    expect(stats).toMatchObject({ state: "running", cpuAbsolute: 12.5, memoryBytes: 100, rxBytes: 5, txBytes: 7, diskBytes: 0 });
    expect(parseStats("[")).toBeNull();
    expect(parseStats(undefined)).toBeNull();
  });
});

describe("live charts", () => {
  it("keeps the newest points", () => {
    let s = emptySeries(2);
    for (let t = 0; t < 5; t++) s = pushPoint(s, t, [t, t * 10], 3);
    expect(s.times).toEqual([2, 3, 4]);
    expect(s.columns).toEqual([
      [2, 3, 4],
      [20, 30, 40],
    ]);
  });

  it("computes rates from counters, 0 after a reset", () => {
    expect(rate(null, 100, 1)).toBe(0);
    expect(rate({ bytes: 100, time: 1 }, 300, 3)).toBe(100);
    expect(rate({ bytes: 300, time: 3 }, 10, 4)).toBe(0);
  });
});

describe("reconnecting", () => {
  it("stays closed after losing access, suspension or deletion", () => {
    expect(finalCloseReason(4409)).toBe("The server was suspended.");
    expect(finalCloseReason(4410)).toMatch(/deleted/);
    expect(finalCloseReason(1006)).toBeUndefined();
  });

  it("backs off to 10 seconds", () => {
    expect(reconnectDelay(0)).toBe(500);
    expect(reconnectDelay(3)).toBe(4000);
    expect(reconnectDelay(10)).toBe(10_000);
  });
});
