import { z } from "zod";

/** Per-field messages from a validation failure, keyed by field name. */
export type FieldErrors = Record<string, string>;

/** The body every failing Flamingo API response carries. */
const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.record(z.string(), z.string()).optional().catch(undefined),
  }),
});

type ApiErrorInit = {
  status: number;
  code: string;
  message: string;
  fields?: FieldErrors;
  body?: unknown;
  cause?: unknown;
};

/** A failed API call: the HTTP status (0 when the network failed) and the server's code, message and field errors. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldErrors | undefined;
  /** The decoded response body, for endpoints whose failures carry data (e.g. health's 503). */
  readonly body: unknown;

  constructor({ status, code, message, fields, body, cause }: ApiErrorInit) {
    super(message, { cause });
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.body = body;
  }
}

/**
 * Whether `error` means the API could not be reached (the network failed, or
 * a gateway answered for it), as opposed to the API answering "no".
 */
export function isConnectionLost(error: unknown): boolean {
  return error instanceof ApiError && [0, 502, 503, 504].includes(error.status) && !isApiEnvelope(error.body);
}

function isApiEnvelope(body: unknown): boolean {
  return errorEnvelopeSchema.safeParse(body).success;
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Options for one request; `schema` checks the success body and gives the result its type. */
export type RequestOptions<T> = {
  method?: Method;
  body?: unknown;
  signal?: AbortSignal;
  schema: z.ZodType<T>;
};

/** Calls a same-origin JSON endpoint; resolves with the parsed body or rejects with an ApiError. */
export async function apiRequest<T>(
  path: string,
  { method = "GET", body, signal, schema }: RequestOptions<T>,
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
      signal,
    });
  } catch (cause) {
    if (signal?.aborted) throw cause;
    throw new ApiError({
      status: 0,
      code: "network_error",
      message: "Could not reach the Flamingo API. Check your connection and try again.",
      cause,
    });
  }

  const payload = await readBody(response);
  if (!response.ok) throw toApiError(response, payload);

  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    throw new ApiError({
      status: response.status,
      code: "invalid_response",
      message: "The server sent a response this page does not understand.",
      body: payload,
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** Shorthands for the common verbs. */
export const api = {
  get: <T>(path: string, schema: z.ZodType<T>, signal?: AbortSignal) =>
    apiRequest(path, { schema, signal }),
  post: <T>(path: string, body: unknown, schema: z.ZodType<T>) =>
    apiRequest(path, { method: "POST", body, schema }),
  put: <T>(path: string, body: unknown, schema: z.ZodType<T>) =>
    apiRequest(path, { method: "PUT", body, schema }),
  patch: <T>(path: string, body: unknown, schema: z.ZodType<T>) =>
    apiRequest(path, { method: "PATCH", body, schema }),
  delete: <T>(path: string, schema: z.ZodType<T>) =>
    apiRequest(path, { method: "DELETE", schema }),
};

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function toApiError(response: Response, payload: unknown): ApiError {
  const envelope = errorEnvelopeSchema.safeParse(payload);
  if (envelope.success) {
    const { code, message, fields } = envelope.data.error;
    return new ApiError({ status: response.status, code, message, fields, body: payload });
  }
  const reason = response.statusText ? ` ${response.statusText}` : "";
  return new ApiError({
    status: response.status,
    code: `http_${String(response.status)}`,
    message: `The server answered HTTP ${String(response.status)}${reason}.`,
    body: payload,
  });
}
