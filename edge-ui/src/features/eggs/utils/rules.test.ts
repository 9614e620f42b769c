import { describe, expect, it } from "vitest";

import { asSentence, checkRules, choicesOf, ruleProblem } from "@/features/eggs/utils/rules";

// The same cases as edge-api/src/game/egg/rules.rs's tests: the browser and the API must agree.
const passes = (rules: string[], value: string) => checkRules(rules, value) === undefined;

describe("egg variable rules (as the API checks them)", () => {
  it("treats required, nullable and absent values as Laravel does", () => {
    expect(checkRules(["required"], undefined)).toBe("is required");
    expect(checkRules(["required"], "  ")).toBe("is required");
    expect(checkRules(["nullable", "string", "max:3"], "")).toBeUndefined();
    expect(checkRules(["string", "max:20"], "")).toBe("must be a string");
    expect(checkRules(["string", "max:2"], undefined)).toBeUndefined();
    expect(checkRules(["present"], undefined)).toBe("must be present");
    expect(checkRules(["present", "nullable"], "")).toBeUndefined();
    expect(checkRules(["sometimes", "integer"], undefined)).toBeUndefined();
    expect(checkRules([], "")).toBeUndefined();
    expect(checkRules(["in:,a,b"], "")).toBeUndefined();
    expect(checkRules(["in:a,b"], "")).toBeDefined();
    expect(checkRules(["max:5", "integer"], "")).toBeDefined();
    expect(checkRules(["regex:/^$/"], "")).toBeDefined();
    expect(checkRules(["not_in:a", "max:3"], "")).toBeUndefined();
  });

  it("counts characters for strings and compares values for numbers", () => {
    expect(passes(["string", "max:5"], "héllo")).toBe(true);
    expect(passes(["string", "max:5"], "héllo!")).toBe(false);
    expect(passes(["string", "min:3"], "100")).toBe(true);
    expect(passes(["string", "min:4"], "100")).toBe(false);
    expect(passes(["integer", "min:3"], "100")).toBe(true);
    expect(passes(["integer", "max:99"], "100")).toBe(false);
    expect(passes(["numeric", "between:1,24"], "24")).toBe(true);
    expect(passes(["numeric", "between:1,24"], "24.5")).toBe(false);
    expect(passes(["between:1,3"], "abc")).toBe(true);
    expect(passes(["between:1,3"], "abcd")).toBe(false);
    expect(checkRules(["numeric", "max:10"], "11")).toBe("must be at most 10");
    expect(checkRules(["string", "max:2"], "abc")).toBe("must be at most 2 characters");
    expect(passes(["string", "size:32"], "a".repeat(32))).toBe(true);
    expect(passes(["string", "size:32"], "a".repeat(31))).toBe(false);
    expect(passes(["integer", "gt:0"], "1")).toBe(true);
    expect(passes(["integer", "gt:0"], "0")).toBe(false);
  });

  it("knows integers, numbers and booleans", () => {
    for (const good of ["0", "-5", "+7", "25565", " 12 "]) expect(passes(["integer"], good)).toBe(true);
    for (const bad of ["012", "1.5", "1e3", "abc", "", "99999999999999999999"])
      expect(passes(["required", "integer"], bad)).toBe(false);
    for (const good of ["1.5", ".5", "5.", "-1e3"]) expect(passes(["numeric"], good)).toBe(true);
    for (const bad of ["0x", "inf", "NaN", "1,5", "e5", "."]) expect(passes(["numeric"], bad)).toBe(false);
    expect(passes(["boolean"], "1")).toBe(true);
    expect(passes(["boolean"], "true")).toBe(false);
    expect(passes(["in:true,false"], "true")).toBe(true);
  });

  it("splits lists with quotes", () => {
    expect(passes(["in:survival,creative"], "creative")).toBe(true);
    expect(passes(["in:survival,creative"], "Creative")).toBe(false);
    expect(passes(['in:"a,b",c'], "a,b")).toBe(true);
    expect(passes(['in:"a,b",c'], "a")).toBe(false);
    expect(passes(["not_in:root,admin"], "root")).toBe(false);
    expect(passes(["starts_with:http://,https://"], "https://x")).toBe(true);
    expect(passes(["ends_with:.jar"], "server.zip")).toBe(false);
    expect(checkRules(["in:a,b"], "c")).toBe("must be one of `a`, `b`");
  });

  it("runs PHP patterns with delimiters and flags", () => {
    const jar = String.raw`regex:/^([\w\d._-]+)(\.jar)$/`;
    expect(passes(["required", jar], "server.jar")).toBe(true);
    expect(checkRules(["required", jar], "server.zip")).toBe("is not in the format the egg requires");
    expect(passes(["regex:/^[a-z]+$/i"], "ABC")).toBe(true);
    expect(passes(["regex:#^a/b$#"], "a/b")).toBe(true);
    expect(passes(["regex:/^(yes|no)$/"], "no")).toBe(true);
    expect(passes([String.raw`regex:/^\w+$/`], "é")).toBe(false);
    expect(passes(["regex:/^ a b $/x"], "ab")).toBe(true);
    expect(passes(["not_regex:/^root$/"], "root")).toBe(false);
    expect(ruleProblem("regex:^abc$")).toMatch(/delimiters/);
    expect(ruleProblem("regex:/a/e")).toMatch(/flag `e`/);
  });

  it("checks character classes, digits, URLs and addresses", () => {
    expect(passes(["alpha"], "Zoë")).toBe(true);
    expect(passes(["alpha"], "abc1")).toBe(false);
    expect(passes(["alpha_num"], "abc1")).toBe(true);
    expect(passes(["alpha_dash"], "my-world_2")).toBe(true);
    expect(passes(["alpha_dash"], "my world")).toBe(false);
    expect(passes(["digits:4"], "0420")).toBe(true);
    expect(passes(["digits:4"], "420")).toBe(false);
    expect(passes(["digits_between:17,18"], "12345678901234567")).toBe(true);
    expect(passes(["digits_between:17,18"], "1234")).toBe(false);
    expect(passes(["url"], "https://example.com/x?y=1")).toBe(true);
    expect(passes(["url"], "example.com")).toBe(false);
    expect(passes(["ip"], "::1")).toBe(true);
    expect(passes(["ipv4"], "10.0.0.1")).toBe(true);
    expect(passes(["ipv4"], "::1")).toBe(false);
    expect(passes(["ipv6"], "2001:db8::8a2e:370:7334")).toBe(true);
    expect(passes(["ipv6"], "2001:db8:::1")).toBe(false);
    expect(passes(["email"], "ada@example.com")).toBe(true);
    expect(passes(["email"], "ada")).toBe(false);
    expect(passes(["lowercase"], "aBc")).toBe(false);
  });

  it("refuses unknown and malformed rules, as import does", () => {
    for (const bad of ["int", "array", "required_if:FOO,1", "max", "max:x", "between:1", "in:", "digits:a", ""])
      expect(ruleProblem(bad)).toBeDefined();
    expect(checkRules(["int"], "5")).toMatch(/^cannot be checked: rule `int`/);
    expect(ruleProblem("max:20")).toBeUndefined();
  });

  it("words messages as sentences and finds fixed choices", () => {
    expect(asSentence("must be at most 20 characters")).toBe("Must be at most 20 characters.");
    expect(choicesOf(["required", "in:survival,creative"])).toEqual(["survival", "creative"]);
    expect(choicesOf(["required"])).toBeUndefined();
  });
});
