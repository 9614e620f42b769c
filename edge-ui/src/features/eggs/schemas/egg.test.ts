import { describe, expect, it } from "vitest";

import { sortedVariables, splitRules, variablesFormSchema } from "@/features/eggs/schemas/egg";

const row = (env: string, rules = "required") => ({
  name: env,
  description: "",
  env_variable: env,
  default_value: "",
  user_viewable: true,
  user_editable: true,
  rules,
});

describe("the egg variables editor", () => {
  it("splits rules by line or legacy pipes, keeping a pattern whole", () => {
    expect(splitRules("required|string\nmax:20\nregex:/^(yes|no)$/\n\n")).toEqual([
      "required",
      "string",
      "max:20",
      "regex:/^(yes|no)$/",
    ]);
  });

  it("refuses rules the API refuses and repeated names", () => {
    const result = variablesFormSchema.safeParse({ variables: [row("A", "required\nint"), row("A")] });
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((i) => [i.path.join("."), i.message]);
    expect(messages).toContainEqual(["variables.0.rules", "Rule `int`: `int` is not a supported rule."]);
    expect(messages).toContainEqual(["variables.1.env_variable", "Another variable uses this name."]);
    expect(variablesFormSchema.safeParse({ variables: [row("SERVER_JARFILE", "required\nregex:/\\.jar$/")] }).success).toBe(true);
  });

  it("orders variables by sort, then as listed", () => {
    const v = (env: string, sort?: number) => ({ ...row(env), rules: [], sort });
    expect(sortedVariables([v("C"), v("B", 2), v("A", 1), v("D")]).map((x) => x.env_variable)).toEqual(["A", "B", "C", "D"]);
  });
});
