// A tiny API client for whole-system tests: JSON in and out, one cookie jar,
// the panel's Origin on every request, and a chosen client IP.

/** A client of the edge at `base`, appearing to come from `ip`. */
export function client(base, { ip = "192.0.2.10" } = {}) {
  let cookie = null;
  async function call(method, path, body, headers = {}) {
    const res = await fetch(`${base}${path}`, {
      method,
      redirect: "manual",
      headers: {
        origin: base,
        "cf-connecting-ip": ip,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(cookie ? { cookie } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const setCookie = res.headers.get("set-cookie");
    if (setCookie) cookie = setCookie.split(";")[0].endsWith("=") ? null : setCookie.split(";")[0];
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {}
    return { status: res.status, headers: res.headers, json, setCookie };
  }
  return {
    get: (path, headers) => call("GET", path, undefined, headers),
    post: (path, body = {}, headers) => call("POST", path, body, headers),
    patch: (path, body = {}, headers) => call("PATCH", path, body, headers),
    put: (path, body = {}, headers) => call("PUT", path, body, headers),
    delete: (path, headers) => call("DELETE", path, undefined, headers),
    get cookie() {
      return cookie;
    },
    set cookie(value) {
      cookie = value;
    },
  };
}
