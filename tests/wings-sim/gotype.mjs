// Go-typed decoding: a spec per Go type and a decoder that accepts exactly
// what encoding/json (and goccy/go-json, which Wings uses for the panel's
// answers) accept. Lenient where Go is: unknown keys are ignored, keys match
// struct fields case-insensitively when no exact match exists, `null` into a
// non-pointer leaves the zero value. Strict where Go is: a number where Go
// wants a string, a string (a stringified object) where Go wants a struct, a
// fraction or out-of-range value for an integer are errors.
//
// decode() returns { value, errors, warnings }: `errors` are what Go returns
// (the call fails), `warnings` are what Wings accepts but logs or degrades,
// recorded by the custom decoders of Wings' own types.
import { GoNumber, jsonKind, parseJson, toPlain } from "./json.mjs";

const INT_RANGES = {
  int: [-(2n ** 63n), 2n ** 63n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint: [0n, 2n ** 64n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  uint16: [0n, 65535n],
};

/** Go types, by how they decode. */
export const T = {
  string: { kind: "string", go: "string" },
  bool: { kind: "bool", go: "bool" },
  float64: { kind: "float", go: "float64" },
  /** interface{}: anything; numbers become float64. */
  any: { kind: "any", go: "interface {}" },
  /** json.RawMessage: the parsed value itself, decoded later (undefined when the key is absent, null for JSON null). */
  raw: { kind: "raw", go: "json.RawMessage" },
  int: { kind: "int", go: "int" },
  int64: { kind: "int", go: "int64" },
  uint: { kind: "int", go: "uint" },
  uint64: { kind: "int", go: "uint64" },
  uint16: { kind: "int", go: "uint16" },
  /** A struct: `fields` maps json keys to specs (in Go's declaration order); `defaults` pre-fill before decoding. */
  struct: (go, fields, defaults = {}) => ({ kind: "struct", go, fields, defaults }),
  ptr: (elem) => ({ kind: "ptr", go: `*${elem.go}`, elem }),
  slice: (elem) => ({ kind: "slice", go: `[]${elem.go}`, elem }),
  map: (elem) => ({ kind: "map", go: `map[string]${elem.go}`, elem }),
  /**
   * A type with its own UnmarshalJSON: `fn(node, ctx)` returns the value, calls
   * ctx.fail(msg) for an error it returns and ctx.warn(msg) for one it only logs.
   * It receives `null` too, as Go's UnmarshalJSON does.
   */
  custom: (go, fn, zero = null) => ({ kind: "custom", go, fn, zero }),
};

/** The zero value of a spec, as Go's `var x T` holds it. */
export function zero(spec) {
  switch (spec.kind) {
    case "string":
      return "";
    case "bool":
      return false;
    case "int":
    case "float":
      return 0;
    case "struct": {
      const out = {};
      for (const [k, f] of Object.entries(spec.fields)) out[k] = k in spec.defaults ? spec.defaults[k] : zero(f);
      return out;
    }
    case "custom":
      return typeof spec.zero === "function" ? spec.zero() : spec.zero;
    case "raw":
      return undefined;
    default:
      return null;
  }
}

class Ctx {
  constructor(exactKeys) {
    this.exactKeys = exactKeys;
    this.errors = [];
    this.warnings = [];
  }
}

function typeError(ctx, node, spec, path, detail = "") {
  const what = node instanceof GoNumber && detail ? `number ${node.raw}` : jsonKind(node);
  ctx.errors.push(`json: cannot unmarshal ${what} into Go ${path ? `struct field ${path}` : "value"} of type ${spec.go}`);
}

function fieldFor(fields, key, exactKeys) {
  if (Object.hasOwn(fields, key)) return key;
  if (exactKeys) return undefined;
  const lower = key.toLowerCase();
  return Object.keys(fields).find((k) => k.toLowerCase() === lower);
}

function walk(spec, node, ctx, path, current) {
  if (node === null) {
    // Go: null sets pointers, slices, maps and interfaces to nil and leaves anything else alone,
    // except that a type with its own UnmarshalJSON is handed the null.
    if (spec.kind === "custom") return runCustom(spec, node, ctx, path);
    if (["ptr", "slice", "map", "any", "raw"].includes(spec.kind)) return null;
    return current === undefined ? zero(spec) : current;
  }
  switch (spec.kind) {
    case "string":
      if (typeof node !== "string") return typeError(ctx, node, spec, path), zero(spec);
      return node;
    case "bool":
      if (typeof node !== "boolean") return typeError(ctx, node, spec, path), zero(spec);
      return node;
    case "float":
      if (!(node instanceof GoNumber)) return typeError(ctx, node, spec, path), zero(spec);
      return node.float;
    case "int": {
      if (!(node instanceof GoNumber)) return typeError(ctx, node, spec, path), zero(spec);
      const [min, max] = INT_RANGES[spec.go];
      if (!node.isIntegerLiteral || BigInt(node.raw) < min || BigInt(node.raw) > max) {
        return typeError(ctx, node, spec, path, "value"), zero(spec);
      }
      return Number(node.raw);
    }
    case "any":
      return toPlain(node);
    case "raw":
      return node;
    case "ptr":
      return walk(spec.elem, node, ctx, path, undefined);
    case "slice":
      if (!Array.isArray(node)) return typeError(ctx, node, spec, path), null;
      return node.map((x, i) => walk(spec.elem, x, ctx, path, undefined));
    case "map": {
      if (!(node instanceof Map)) return typeError(ctx, node, spec, path), null;
      const out = {};
      for (const [k, x] of node) {
        Object.defineProperty(out, k, { value: walk(spec.elem, x, ctx, `${path}`, undefined), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case "struct": {
      if (!(node instanceof Map)) return typeError(ctx, node, spec, path), current ?? zero(spec);
      const out = current && typeof current === "object" ? current : zero(spec);
      for (const [k, x] of node) {
        const field = fieldFor(spec.fields, k, ctx.exactKeys);
        if (field === undefined) continue;
        const name = spec.go.split(".").pop();
        const fieldPath = path ? `${path}.${field}` : `${name}.${field}`;
        out[field] = walk(spec.fields[field], x, ctx, fieldPath, out[field]);
      }
      return out;
    }
    case "custom":
      return runCustom(spec, node, ctx, path);
    default:
      throw new Error(`unknown spec kind ${spec.kind}`);
  }
}

function runCustom(spec, node, ctx, path) {
  const local = {
    fail: (msg) => ctx.errors.push(path ? `${path}: ${msg}` : msg),
    warn: (msg) => ctx.warnings.push(path ? `${path}: ${msg}` : msg),
    /** Decodes `n` as `s` inside this custom decoder; returns { value, errors, warnings } without touching ctx. */
    decode: (s, n, p = path) => decodeNode(s, n, { path: p, exactKeys: ctx.exactKeys }),
    path,
  };
  return spec.fn(node, local);
}

/**
 * Decodes a parsed value (from parseJson, or fromPlain for YAML) as `spec`.
 * `exactKeys` is yaml.v2's matching (no case-insensitive fallback); `into` is
 * an existing value decoded over (Go's Unmarshal into a filled struct: keys
 * absent from the input keep their values).
 */
export function decodeNode(spec, node, { path = "", exactKeys = false, into } = {}) {
  const ctx = new Ctx(exactKeys);
  const value = walk(spec, node, ctx, path, into);
  return { value, errors: ctx.errors, warnings: ctx.warnings };
}

/**
 * Decodes JSON text as Go's json.Unmarshal(text, &v) would (`trailing: "ignore"`
 * for gin's BindJSON, which reads one value off the body).
 */
export function decodeJson(spec, text, { trailing = "error", into } = {}) {
  let node;
  try {
    node = parseJson(text, { trailing });
  } catch (error) {
    return { value: into ?? zero(spec), errors: [error.message], warnings: [], syntax: true, eof: error.message === "EOF" };
  }
  return decodeNode(spec, node, { into });
}
