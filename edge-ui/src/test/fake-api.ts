import { jsonResponse, stubFetch } from "@/test/fetch";

/** What a stubbed endpoint sees of the request. */
export type FakeRequest = { method: string; url: URL; body: unknown };

/** A function answering a stubbed request. */
export type FakeHandler = (request: FakeRequest) => Response | Promise<Response>;

/** A stubbed endpoint: a fixed JSON body (HTTP 200), or a function answering a Response. */
export type FakeRoute = FakeHandler | Record<string, unknown> | unknown[];

function isHandler(route: FakeRoute): route is FakeHandler {
  return typeof route === "function";
}

/** An empty answer, as the Worker sends for 204. */
export function noContent(): Response {
  return new Response(null, { status: 204 });
}

/** The Worker's error envelope. */
export function errorResponse(status: number, code: string, message: string, fields?: Record<string, string>) {
  return jsonResponse(status, { error: { code, message, ...(fields ? { fields } : {}) } });
}

/**
 * Replaces fetch with a tiny fake of the API: `routes` maps "METHOD /path"
 * (no query string) to an answer. Unknown routes answer 404, so a test sees
 * what it forgot. Returns the fetch mock and the requests made.
 */
export function stubApi(routes: Record<string, FakeRoute>) {
  const requests: FakeRequest[] = [];
  const fetchMock = stubFetch((input, init) => {
    const method = init?.method ?? "GET";
    const url = new URL(input instanceof Request ? input.url : String(input), "http://localhost");
    const body: unknown = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
    const request = { method, url, body };
    requests.push(request);
    const route = routes[`${method} ${url.pathname}`];
    if (route === undefined)
      return Promise.resolve(errorResponse(404, "not_found", `No stub for ${method} ${url.pathname}`));
    return Promise.resolve(isHandler(route) ? route(request) : jsonResponse(200, route));
  });
  return {
    fetchMock,
    requests,
    /** The requests made to "METHOD /path". */
    calls: (key: string) => requests.filter((r) => `${r.method} ${r.url.pathname}` === key),
  };
}
