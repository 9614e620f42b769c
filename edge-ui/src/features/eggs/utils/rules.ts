/**
 * Egg variable rules, checked in the browser exactly as the API checks them
 * (`edge-api/src/game/egg/rules.rs`, Laravel's meaning): the same rules, the
 * same order, the same messages, so a value is refused here before it is
 * sent and the API's answer never surprises. The API stays the judge.
 *
 * - An empty value (or only spaces) counts as null: it fails `required`; with
 *   `nullable` it passes everything else; without, the rules that need a
 *   value fail.
 * - `undefined` (no value given at all) fails only `required` and `present`.
 * - `min`, `max`, `between`, `size`, `gt`, `gte`, `lt`, `lte` compare the
 *   number under `numeric`/`integer`, else the length in characters.
 * - `regex:` takes a PHP pattern with delimiters (`/^\w+$/i`).
 */

type Rule =
  | { kind: "required" | "nullable" | "sometimes" | "bail" | "present" | "filled" | "string" }
  | { kind: "integer" | "numeric" | "boolean" | "alpha" | "alpha_num" | "alpha_dash" }
  | { kind: "url" | "ip" | "ipv4" | "ipv6" | "email" | "lowercase" | "uppercase" }
  | { kind: "in" | "not_in" | "starts_with" | "ends_with" | "doesnt_start_with" | "doesnt_end_with"; values: string[] }
  | { kind: "min" | "max" | "size" | "gt" | "gte" | "lt" | "lte"; n: number }
  | { kind: "between"; low: number; high: number }
  | { kind: "digits"; n: number }
  | { kind: "digits_between"; low: number; high: number }
  | { kind: "regex" | "not_regex"; re: RegExp };

const BARE = new Set([
  "required",
  "nullable",
  "sometimes",
  "bail",
  "present",
  "filled",
  "string",
  "integer",
  "numeric",
  "boolean",
  "alpha",
  "alpha_num",
  "alpha_dash",
  "url",
  "ip",
  "ipv4",
  "ipv6",
  "email",
  "lowercase",
  "uppercase",
]);
const LISTS = new Set(["in", "not_in", "starts_with", "ends_with", "doesnt_start_with", "doesnt_end_with"]);
const SIZES = new Set(["min", "max", "size", "gt", "gte", "lt", "lte"]);

/** Parses one rule, e.g. `max:20`; throws the reason it is not one. */
function parse(text: string): Rule {
  const rule = text.trim();
  const colon = rule.indexOf(":");
  const name = (colon < 0 ? rule : rule.slice(0, colon)).trim();
  const arg = colon < 0 ? undefined : rule.slice(colon + 1);
  const argOf = () => {
    if (arg === undefined) throw new Error(`\`${name}\` needs a parameter, as in \`${name}:…\``);
    return arg;
  };
  const number = (value: string) => {
    const n = parseNumber(value.trim());
    if (n === undefined) throw new Error(`\`${name}\` needs a number, not \`${value.trim()}\``);
    return n;
  };
  const count = (value: string) => {
    if (!/^\d+$/.test(value.trim())) throw new Error(`\`${name}\` needs a whole number, not \`${value}\``);
    return Number(value.trim());
  };
  const pair = () => {
    const a = argOf();
    const comma = a.indexOf(",");
    if (comma < 0) throw new Error(`\`${name}\` needs two numbers, as in \`${name}:1,10\``);
    return [a.slice(0, comma), a.slice(comma + 1)] as const;
  };
  if (name === "") throw new Error("is an empty rule");
  if (BARE.has(name)) {
    if (arg !== undefined) throw new Error(`\`${name}\` takes no parameter`);
    return { kind: name } as Rule;
  }
  if (LISTS.has(name)) {
    const a = argOf();
    const values = csv(a);
    if (a.trim() === "" || values.length === 0) throw new Error(`\`${name}\` needs at least one value`);
    return { kind: name, values } as Rule;
  }
  if (SIZES.has(name)) return { kind: name, n: number(argOf()) } as Rule;
  switch (name) {
    case "between": {
      const [low, high] = pair();
      const a = parseNumber(low.trim());
      const b = parseNumber(high.trim());
      if (a === undefined || b === undefined) throw new Error(`\`${name}\` needs two numbers, not \`${argOf()}\``);
      return { kind: "between", low: a, high: b };
    }
    case "digits":
      return { kind: "digits", n: count(argOf()) };
    case "digits_between": {
      const [low, high] = pair();
      return { kind: "digits_between", low: count(low), high: count(high) };
    }
    case "regex":
    case "not_regex":
      return { kind: name, re: pattern(argOf()) };
    default:
      throw new Error(`\`${name}\` is not a supported rule`);
  }
}

/** Why a rule is not one the API accepts, or undefined when it is. */
export function ruleProblem(rule: string): string | undefined {
  try {
    parse(rule);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A PHP pattern with delimiters and flags, as a JavaScript RegExp. */
function pattern(source: string): RegExp {
  const text = source.trim();
  const open = text.charAt(0);
  if (open === "" || /[\p{L}\p{N}\\\s]/u.test(open))
    throw new Error("the pattern needs delimiters, as in `regex:/^[a-z]+$/`");
  const close = ({ "(": ")", "[": "]", "{": "}", "<": ">" } as Record<string, string>)[open] ?? open;
  let escaped = false;
  let end = -1;
  for (let i = 1; i < text.length; i += 1) {
    const c = text.charAt(i);
    if (escaped) escaped = false;
    else if (c === "\\") escaped = true;
    else if (c === close) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error("the pattern needs delimiters, as in `regex:/^[a-z]+$/`");
  let body = text.slice(1, end);
  let flags = "";
  for (const flag of text.slice(end + 1)) {
    if (flag === "i" || flag === "m" || flag === "s") flags += flag;
    // Extended: whitespace and `#` comments outside escapes are not part of the pattern.
    else if (flag === "x") body = body.replace(/\\[\s#]|\s+|#[^\n]*/g, (m) => (m.startsWith("\\") ? m : ""));
    else if (flag !== "u" && flag !== "D") throw new Error(`the pattern flag \`${flag}\` is not supported`);
  }
  try {
    return new RegExp(body, flags);
  } catch {
    throw new Error("the pattern is not supported");
  }
}

/** PHP's `str_getcsv`: commas, with double quotes around a value holding one. */
function csv(text: string): string[] {
  const values: string[] = [];
  let current = "";
  let quoted = false;
  let atStart = true;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charAt(i);
    if (c === '"' && quoted && text.charAt(i + 1) === '"') {
      current += '"';
      i += 1;
    } else if (c === '"' && quoted) quoted = false;
    else if (c === '"' && atStart) quoted = true;
    else if (c === "," && !quoted) {
      values.push(current);
      current = "";
      atStart = true;
      continue;
    } else current += c;
    atStart = false;
  }
  values.push(current);
  return values;
}

/** PHP's `is_numeric` on a string. */
function parseNumber(text: string): number | undefined {
  const t = text.replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, "");
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** PHP's `FILTER_VALIDATE_INT`: optional spaces and sign, no leading zeros, 64 bits. */
function isInteger(text: string): boolean {
  const t = text.trim();
  if (!/^[+-]?(0|[1-9]\d*)$/.test(t)) return false;
  const n = BigInt(t);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

function isUrl(text: string): boolean {
  const at = text.indexOf("://");
  if (at < 0) return false;
  const scheme = text.slice(0, at);
  const authority = text.slice(at + 3).split(/[/?#]/)[0] ?? "";
  const host = authority.split("@").pop() ?? "";
  return (
    /^[A-Za-z][A-Za-z0-9+.-]*$/.test(scheme) &&
    host !== "" &&
    !host.startsWith(":") &&
    /^[\p{L}\p{N}._:[\]%-]+$/u.test(host) &&
    !/\s/.test(text)
  );
}

function isIpv4(text: string): boolean {
  const parts = text.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

function isIpv6(text: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || text.includes(":::")) return false;
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const all = halves.flatMap(groups);
  let slots = all.length;
  const last = all[all.length - 1];
  if (last?.includes(".")) {
    if (!isIpv4(last)) return false;
    slots += 1;
    all.pop();
  }
  if (!all.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? slots <= 7 : slots === 8;
}

/** As the API's `validate::email`: one @, a dotted domain, no spaces, at most 254 bytes. */
function emailProblem(value: string): string | undefined {
  const at = value.indexOf("@");
  const domain = value.slice(at + 1);
  const ok =
    new TextEncoder().encode(value).length <= 254 &&
    !/\s/.test(value) &&
    at > 0 &&
    !domain.includes("@") &&
    domain.includes(".") &&
    !domain.startsWith(".") &&
    !domain.endsWith(".");
  return ok ? undefined : "must be an email address";
}

/** A rule's number as people wrote it (`20`, not `20.0`). */
function shown(n: number): string {
  return String(n);
}

function needsValue(rule: Rule): boolean {
  return ![
    "required",
    "nullable",
    "sometimes",
    "bail",
    "present",
    "filled",
    "not_in",
    "not_regex",
    "doesnt_start_with",
    "doesnt_end_with",
  ].includes(rule.kind);
}

const LETTER = /[\p{L}\p{M}]/u;
const LETTER_OR_DIGIT = /[\p{L}\p{M}\p{N}]/u;

function chars(value: string): string[] {
  return Array.from(value);
}

/** Checks one rule; `numeric` says sizes are numbers (else lengths). Returns the message when it fails. */
function one(rule: Rule, value: string, numeric: boolean): string | undefined {
  const size = () => (numeric ? parseNumber(value) : chars(value).length);
  const unit = numeric ? "" : " characters";
  const sized = (pass: (s: number) => boolean, message: string) => {
    const s = size();
    if (s === undefined) return "must be a number";
    return pass(s) ? undefined : message;
  };
  const listed = (values: string[]) => values.map((v) => `\`${v}\``).join(", ");
  const ok = (pass: boolean, message: string) => (pass ? undefined : message);
  const empty = value === "";
  switch (rule.kind) {
    case "required":
    case "present":
    case "filled":
      return ok(value.trim() !== "", "is required");
    case "nullable":
    case "sometimes":
    case "bail":
      return undefined;
    case "string":
      return ok(!empty, "must be a string");
    case "integer":
      return ok(isInteger(value), "must be an integer");
    case "numeric":
      return ok(parseNumber(value) !== undefined, "must be a number");
    case "boolean":
      return ok(value === "0" || value === "1", "must be 0 or 1");
    case "in":
      return ok(rule.values.includes(value), `must be one of ${listed(rule.values)}`);
    case "not_in":
      return ok(!rule.values.includes(value), `must not be one of ${listed(rule.values)}`);
    case "min":
    case "gte":
      return sized((s) => s >= rule.n, `must be at least ${shown(rule.n)}${unit}`);
    case "max":
    case "lte":
      return sized((s) => s <= rule.n, `must be at most ${shown(rule.n)}${unit}`);
    case "gt":
      return sized((s) => s > rule.n, `must be more than ${shown(rule.n)}${unit}`);
    case "lt":
      return sized((s) => s < rule.n, `must be less than ${shown(rule.n)}${unit}`);
    case "size":
      return sized(
        (s) => s === rule.n,
        numeric ? `must be ${shown(rule.n)}` : `must be exactly ${shown(rule.n)}${unit}`,
      );
    case "between":
      return sized(
        (s) => s >= rule.low && s <= rule.high,
        `must be between ${shown(rule.low)} and ${shown(rule.high)}${unit}`,
      );
    case "regex":
      return ok(rule.re.test(value), "is not in the format the egg requires");
    case "not_regex":
      return ok(!rule.re.test(value), "is not in the format the egg requires");
    case "alpha":
      return ok(!empty && chars(value).every((c) => LETTER.test(c)), "must contain only letters");
    case "alpha_num":
      return ok(!empty && chars(value).every((c) => LETTER_OR_DIGIT.test(c)), "must contain only letters and numbers");
    case "alpha_dash":
      return ok(
        !empty && chars(value).every((c) => LETTER_OR_DIGIT.test(c) || c === "-" || c === "_"),
        "must contain only letters, numbers, dashes and underscores",
      );
    case "digits":
      return ok(/^\d+$/.test(value) && value.length === rule.n, `must be ${String(rule.n)} digits`);
    case "digits_between":
      return ok(
        /^\d+$/.test(value) && value.length >= rule.low && value.length <= rule.high,
        `must be between ${String(rule.low)} and ${String(rule.high)} digits`,
      );
    case "url":
      return ok(isUrl(value), "must be a URL");
    case "ip":
      return ok(isIpv4(value) || isIpv6(value), "must be an IP address");
    case "ipv4":
      return ok(isIpv4(value), "must be an IPv4 address");
    case "ipv6":
      return ok(isIpv6(value), "must be an IPv6 address");
    case "email":
      return emailProblem(value);
    case "starts_with":
      return ok(
        rule.values.some((v) => value.startsWith(v)),
        `must start with one of ${listed(rule.values)}`,
      );
    case "ends_with":
      return ok(
        rule.values.some((v) => value.endsWith(v)),
        `must end with one of ${listed(rule.values)}`,
      );
    case "doesnt_start_with":
      return ok(!rule.values.some((v) => value.startsWith(v)), `must not start with ${listed(rule.values)}`);
    case "doesnt_end_with":
      return ok(!rule.values.some((v) => value.endsWith(v)), `must not end with ${listed(rule.values)}`);
    case "lowercase":
      return ok(value.toLowerCase() === value, "must be lowercase");
    case "uppercase":
      return ok(value.toUpperCase() === value, "must be uppercase");
  }
}

/**
 * Checks `value` against `rules`: the message for the variable's field
 * (e.g. `must be at most 20 characters`), or undefined when it passes.
 * `undefined` as the value means "not given at all".
 */
export function checkRules(rules: readonly string[], value: string | undefined): string | undefined {
  const parsed: Rule[] = [];
  for (const rule of rules) {
    try {
      parsed.push(parse(rule));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return `cannot be checked: rule \`${rule.trim()}\` ${reason}`;
    }
  }
  const has = (...kinds: Rule["kind"][]) => parsed.some((r) => kinds.includes(r.kind));
  const required = has("required");
  if (value === undefined) {
    if (required) return "is required";
    if (has("present")) return "must be present";
    return undefined;
  }
  if (value.trim() === "") {
    if (required) return "is required";
    if (has("filled")) return "must not be empty";
    if (has("nullable")) return undefined;
    for (const rule of parsed.filter(needsValue)) {
      const problem = rule.kind === "regex" ? "is not in the format the egg requires" : one(rule, "", false);
      if (problem) return problem;
    }
    return undefined;
  }
  const numeric = has("numeric", "integer");
  for (const rule of parsed) {
    const problem = one(rule, value, numeric);
    if (problem) return problem;
  }
  return undefined;
}

/** "must be at most 20 characters" → "Must be at most 20 characters." for a field message. */
export function asSentence(problem: string): string {
  const text = problem.charAt(0).toUpperCase() + problem.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** Whether a variable's rules make it a choice among fixed values (`in:`), and which. */
export function choicesOf(rules: readonly string[]): string[] | undefined {
  for (const rule of rules) {
    const text = rule.trim();
    if (text.startsWith("in:")) return csv(text.slice(3));
  }
  return undefined;
}
