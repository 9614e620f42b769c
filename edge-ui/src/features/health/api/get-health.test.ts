import { describe, expect, it } from "vitest";

import { getHealthQueryOptions } from "@/features/health/api/get-health";

type Interval = (query: { state: { data?: { status: string } } }) => number;

describe("the system status refresh", () => {
  const interval = getHealthQueryOptions().refetchInterval as unknown as Interval;

  it("re-checks a healthy system every 30 seconds", () => {
    expect(interval({ state: { data: { status: "ok" } } })).toBe(30_000);
  });

  it("re-checks a degraded or unanswered one within seconds, so a passing hiccup clears", () => {
    expect(interval({ state: { data: { status: "degraded" } } })).toBe(5_000);
    expect(interval({ state: {} })).toBe(5_000);
  });
});
