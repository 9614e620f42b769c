import { describe, expect, it, vi } from "vitest";

import { ApiError } from "@/lib/api-client";
import { onCaughtError } from "@/lib/caught-errors";

const info = { componentStack: "\n    at Page" };

describe("onCaughtError", () => {
  it.each([
    [0, "network_error"],
    [401, "unauthenticated"],
    [404, "not_found"],
    [409, "conflict"],
    [422, "invalid"],
    [502, "http_502"],
  ])("keeps an expected %i (%s) out of the console", (status, code) => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    onCaughtError(new ApiError({ status, code, message: "shown on the page" }), info);
    expect(log).not.toHaveBeenCalled();
  });

  it("logs what is a bug", () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const bug = new TypeError("cannot read properties of undefined");
    onCaughtError(bug, info);
    onCaughtError(new ApiError({ status: 500, code: "internal", message: "An internal error occurred." }), info);
    expect(log).toHaveBeenCalledTimes(2);
    expect(log).toHaveBeenNthCalledWith(1, bug, info.componentStack);
  });
});
