import { describe, expect, it } from "vitest";
import { z } from "zod";

import { ApiError, api, apiRequest } from "@/lib/api-client";
import { jsonResponse, stubFetch } from "@/test/fetch";

const itemSchema = z.object({ id: z.string() });

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe("apiRequest", () => {
  it("sends JSON same-origin and returns the parsed body", async () => {
    const fetchMock = stubFetch(() => Promise.resolve(jsonResponse(201, { id: "abc" })));

    const result = await api.post("/api/items", { name: "x" }, itemSchema);

    expect(result).toEqual({ id: "abc" });
    const [url, init] = fetchMock.mock.calls[0] ?? [];
    expect(url).toBe("/api/items");
    expect(init).toMatchObject({
      method: "POST",
      body: JSON.stringify({ name: "x" }),
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
    });
  });

  it("parses the error envelope into an ApiError", async () => {
    stubFetch(() =>
      Promise.resolve(
        jsonResponse(422, {
          error: {
            code: "invalid",
            message: "Some fields are not valid.",
            fields: { name: "must not be empty" },
          },
        }),
      ),
    );

    const error = await failure(api.get("/api/items", itemSchema));

    expect(error.status).toBe(422);
    expect(error.code).toBe("invalid");
    expect(error.message).toBe("Some fields are not valid.");
    expect(error.fields).toEqual({ name: "must not be empty" });
  });

  it("keeps code and message when the fields are malformed", async () => {
    stubFetch(() =>
      Promise.resolve(
        jsonResponse(409, { error: { code: "conflict", message: "Taken.", fields: [1, 2] } }),
      ),
    );

    const error = await failure(api.get("/api/items", itemSchema));

    expect(error).toMatchObject({ status: 409, code: "conflict", message: "Taken." });
    expect(error.fields).toBeUndefined();
  });

  it("gives a readable error when the body is not an envelope", async () => {
    stubFetch(() =>
      Promise.resolve(new Response("<h1>Bad gateway</h1>", { status: 502, statusText: "Bad Gateway" })),
    );

    const error = await failure(api.get("/api/items", itemSchema));

    expect(error).toMatchObject({ status: 502, code: "http_502" });
    expect(error.message).toBe("The server answered HTTP 502 Bad Gateway.");
    expect(error.body).toBe("<h1>Bad gateway</h1>");
  });

  it("keeps the decoded body of a failure for callers that need it", async () => {
    stubFetch(() => Promise.resolve(jsonResponse(503, { status: "degraded" })));

    const error = await failure(api.get("/api/health", itemSchema));

    expect(error.status).toBe(503);
    expect(error.body).toEqual({ status: "degraded" });
  });

  it("reports a network failure with status 0", async () => {
    stubFetch(() => Promise.reject(new TypeError("Failed to fetch")));

    const error = await failure(api.get("/api/items", itemSchema));

    expect(error).toMatchObject({ status: 0, code: "network_error" });
    expect(error.message).toMatch(/could not reach/i);
  });

  it("rejects a success body that does not match the schema", async () => {
    stubFetch(() => Promise.resolve(jsonResponse(200, { id: 42 })));

    const error = await failure(apiRequest("/api/items", { schema: itemSchema }));

    expect(error).toMatchObject({ status: 200, code: "invalid_response" });
  });

  it("lets an abort through untouched", async () => {
    const controller = new AbortController();
    controller.abort();
    const abort = new DOMException("Aborted", "AbortError");
    stubFetch(() => Promise.reject(abort));

    await expect(api.get("/api/items", itemSchema, controller.signal)).rejects.toBe(abort);
  });
});
