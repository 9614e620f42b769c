// A JSON reader that keeps what Go's decoders see and JSON.parse loses: the
// literal text of every number (Go parses "25565", "1.0" and "1e3" differently
// into an int64) and objects as ordered Maps (a "__proto__" key is just a key).
// Numbers come back as GoNumber, objects as Map, arrays, strings, booleans, null.

/** A JSON number with its literal text, as Go's decoder reads it. */
export class GoNumber {
  constructor(raw) {
    this.raw = raw;
  }
  /** The number as a float64 (what Go puts into interface{}). */
  get float() {
    return Number(this.raw);
  }
  /** Whether the literal is an integer literal (no fraction, no exponent), as strconv.ParseInt wants. */
  get isIntegerLiteral() {
    return /^-?(0|[1-9]\d*)$/.test(this.raw);
  }
  toJSON() {
    return this.float;
  }
}

/** A syntax error with the position, worded like Go's `invalid character ...`. */
export class JsonSyntaxError extends Error {}

/**
 * Parses `text`. `trailing: "error"` is json.Unmarshal (one value and only
 * whitespace after it); `trailing: "ignore"` is a json.Decoder's first Decode
 * (gin's BindJSON), which stops after the first value.
 */
export function parseJson(text, { trailing = "error" } = {}) {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const fail = (what) => {
    if (i >= text.length) throw new JsonSyntaxError("unexpected end of JSON input");
    throw new JsonSyntaxError(`invalid character ${JSON.stringify(text[i])} ${what} (offset ${i})`);
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === "{") return object();
    if (c === "[") return array();
    if (c === '"') return string();
    if (c === "-" || (c >= "0" && c <= "9")) return number();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail("looking for beginning of value");
  };
  const object = () => {
    i++;
    const map = new Map();
    ws();
    if (text[i] === "}") {
      i++;
      return map;
    }
    for (;;) {
      ws();
      if (text[i] !== '"') fail("looking for beginning of object key string");
      const key = string();
      ws();
      if (text[i] !== ":") fail("after object key");
      i++;
      map.set(key, value());
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "}") {
        i++;
        return map;
      }
      fail("after object key:value pair");
    }
  };
  const array = () => {
    i++;
    const out = [];
    ws();
    if (text[i] === "]") {
      i++;
      return out;
    }
    for (;;) {
      out.push(value());
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "]") {
        i++;
        return out;
      }
      fail("after array element");
    }
  };
  const string = () => {
    const start = i;
    i++;
    for (;;) {
      if (i >= text.length) fail("in string literal");
      const c = text[i];
      if (c === '"') break;
      if (c < " ") fail("in string literal");
      if (c === "\\") {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i += 2;
            fail("in \\u hexadecimal character escape");
          }
          i += 6;
          continue;
        }
        if (!'"\\/bfnrt'.includes(e ?? "")) {
          i++;
          fail("in string escape code");
        }
        i += 2;
        continue;
      }
      i++;
    }
    i++;
    return JSON.parse(text.slice(start, i));
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail("in numeric literal");
    i += m[0].length;
    return new GoNumber(m[0]);
  };
  ws();
  if (i >= text.length) throw new JsonSyntaxError(trailing === "ignore" ? "EOF" : "unexpected end of JSON input");
  const v = value();
  if (trailing === "error") {
    ws();
    if (i < text.length) fail("after top-level value");
  }
  return v;
}

/** The Go JSON type name of a parsed value, as in "cannot unmarshal <this> into ...". */
export function jsonKind(v) {
  if (v === null) return "null";
  if (v instanceof GoNumber) return "number";
  if (v instanceof Map) return "object";
  if (Array.isArray(v)) return "array";
  if (typeof v === "string") return "string";
  return "bool";
}

/** Plain JavaScript for a parsed value, the way Go fills an interface{} (numbers become float64). */
export function toPlain(v) {
  if (v instanceof GoNumber) return v.float;
  if (v instanceof Map) {
    const out = {};
    for (const [k, x] of v) Object.defineProperty(out, k, { value: toPlain(x), enumerable: true, writable: true, configurable: true });
    return out;
  }
  if (Array.isArray(v)) return v.map(toPlain);
  return v;
}

/** The parsed form of a plain JavaScript value (for YAML documents): integers keep their digits. */
export function fromPlain(v) {
  if (typeof v === "number") return new GoNumber(Number.isInteger(v) ? BigInt(v).toString() : String(v));
  if (typeof v === "bigint") return new GoNumber(v.toString());
  if (Array.isArray(v)) return v.map(fromPlain);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [String(k), fromPlain(x)]));
  if (v && typeof v === "object") return new Map(Object.entries(v).map(([k, x]) => [k, fromPlain(x)]));
  return v ?? null;
}
