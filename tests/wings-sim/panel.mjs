// Wings' client of the panel (remote/http.go): base `{remote}/api/remote`,
// `Authorization: Bearer {token_id}.{token}`, JSON Accept and Content-Type,
// Wings' User-Agent; a POST body is Go's json.Marshal of the value (`null`
// for nil); any status outside 2xx is an error; 4xx is final, 5xx and 3xx
// (redirects are not followed here: a panel never needs one) and network
// errors are retried with exponential backoff (12 s max interval, 30 s in all
// by default). Every attempt is recorded.
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { parseJson } from "./json.mjs";

/** A non-2xx answer, carrying what Wings reads from it ({"errors":[{code,status,detail}]}). */
export class PanelError extends Error {
  constructor(status, text) {
    let first = null;
    try {
      first = JSON.parse(text)?.errors?.[0] ?? null;
    } catch {}
    super(`Error response from Panel: ${first?.code ?? "_MissingResponseCode"}: ${first?.detail ?? "No error response returned from API endpoint."} (HTTP/${status})`);
    this.status = status;
    this.text = text;
  }
}

export class PanelClient {
  constructor({ panelUrl, tokenId, token, userAgent, timeoutMs, backoff, record, during = () => [], customHeaders = {} }) {
    this.base = `${panelUrl.replace(/\/$/, "")}/api/remote`;
    this.tokenId = tokenId;
    this.token = token;
    this.userAgent = userAgent;
    this.timeoutMs = timeoutMs;
    this.backoff = backoff;
    this.record = record;
    this.during = during;
    this.customHeaders = customHeaders;
  }

  once(method, path, query, body) {
    const url = new URL(this.base + path);
    if (query) {
      // url.Values.Encode(): keys sorted.
      for (const k of Object.keys(query).sort()) url.searchParams.set(k, query[k]);
    }
    const payload = body === undefined ? null : Buffer.from(JSON.stringify(body) ?? "null");
    const headers = {};
    for (const [k, v] of Object.entries(this.customHeaders)) {
      if (!["authorization", "user-agent", "accept", "content-type"].includes(k.toLowerCase())) headers[k] = v;
    }
    Object.assign(headers, {
      "User-Agent": this.userAgent,
      Accept: "application/json",
      "Content-Type": "application/json",
      Authorization: `Bearer ${this.tokenId}.${this.token}`,
      "Accept-Encoding": "identity",
    });
    if (payload) headers["Content-Length"] = String(payload.length);
    const entry = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body: payload?.toString() ?? null, at: Date.now(), during: this.during() };
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = send(url, { method, headers, timeout: this.timeoutMs }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          entry.status = res.statusCode;
          entry.responseHeaders = res.headers;
          entry.responseText = Buffer.concat(chunks).toString("utf8");
          this.record(entry);
          resolve(entry);
        });
        res.on("error", (error) => {
          entry.error = error.message;
          this.record(entry);
          resolve(entry);
        });
      });
      req.on("timeout", () => req.destroy(new Error(`timeout after ${this.timeoutMs} ms`)));
      req.on("error", (error) => {
        entry.error = error.message;
        this.record(entry);
        resolve(entry);
      });
      req.end(payload ?? undefined);
    });
  }

  /** One call with Wings' retry rules; resolves to the entry of the final attempt or throws PanelError / Error. */
  async call(method, path, { query, body } = {}) {
    const started = Date.now();
    let interval = this.backoff.initialMs;
    for (;;) {
      const entry = await this.once(method, path, query, body);
      if (entry.error === undefined && entry.status >= 200 && entry.status < 300) return entry;
      const final = entry.error === undefined && entry.status >= 400 && entry.status < 500;
      const wait = interval * (0.5 + Math.random());
      if (final || Date.now() - started + wait > this.backoff.maxElapsedMs) {
        if (entry.error !== undefined) throw new Error(`http: request failed: ${entry.error}`);
        throw new PanelError(entry.status, entry.responseText);
      }
      await new Promise((r) => setTimeout(r, wait));
      interval = Math.min(interval * 1.5, this.backoff.maxIntervalMs);
    }
  }

  /** GET, then the body parsed as goccy/go-json's Unmarshal reads it (one value, nothing after it). */
  async getJson(path, query) {
    const entry = await this.call("GET", path, { query });
    try {
      return { entry, node: parseJson(entry.responseText) };
    } catch (error) {
      throw new Error(`remote: could not unmarshal response: ${error.message}`);
    }
  }

  post(path, body) {
    return this.call("POST", path, { body });
  }
}
