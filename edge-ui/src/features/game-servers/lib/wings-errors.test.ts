import { describe, expect, it } from "vitest";

import { wingsErrorMessage } from "@/features/game-servers/lib/wings-errors";
import { ApiError } from "@/lib/api-client";

function apiError(status: number, code: string, message: string) {
  return new ApiError({ status, code, message });
}

describe("wingsErrorMessage", () => {
  it("says a node is offline or slow in words", () => {
    expect(wingsErrorMessage(apiError(502, "node_offline", "The node sim could not be reached."))).toBe(
      "The node is offline: Flamingo could not reach it.",
    );
    expect(wingsErrorMessage(apiError(504, "node_timeout", "x"))).toMatch(/did not answer in time/);
  });

  it("keeps Wings' own sentence from a refusal", () => {
    const e = apiError(502, "node_refused", "The node sim refused (409): The server is not running.");
    expect(wingsErrorMessage(e)).toBe("The server is not running.");
    const noStop = apiError(502, "node_refused", "The node sim refused (400): file is a directory");
    expect(wingsErrorMessage(noStop)).toBe("file is a directory.");
  });

  it("never shows raw JSON", () => {
    const e = apiError(502, "node_refused", 'The node sim refused (500): {"error":"x"}');
    expect(wingsErrorMessage(e)).toBe("The node refused the request.");
    expect(wingsErrorMessage(apiError(500, "http_500", '{"a":1}'))).toBe("Something went wrong. Try again.");
    expect(wingsErrorMessage(new Error("[1,2]"))).toBe("Something went wrong. Try again.");
    expect(wingsErrorMessage("nope")).toBe("Something went wrong. Try again.");
  });

  it("says permission denied for a 403", () => {
    expect(wingsErrorMessage(apiError(403, "forbidden", "Forbidden"))).toBe("You do not have permission to do that.");
  });

  it("passes the API's own sentences through", () => {
    expect(wingsErrorMessage(apiError(409, "suspended", "The server is suspended."))).toBe("The server is suspended.");
  });
});
