import { z } from "zod";

import { ruleProblem } from "@/features/eggs/utils/rules";

/** An egg as `GET /api/orgs/{org}/eggs` lists it. */
export const eggSummarySchema = z.object({
  id: z.string(),
  uuid: z.string(),
  name: z.string(),
  author: z.string(),
  description: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type EggSummaryRow = z.infer<typeof eggSummarySchema>;

export const eggVariableSchema = z.object({
  name: z.string(),
  description: z.string(),
  env_variable: z.string(),
  default_value: z.string(),
  user_viewable: z.boolean(),
  user_editable: z.boolean(),
  rules: z.array(z.string()),
  sort: z.number().nullish(),
});
export type EggVariableRow = z.infer<typeof eggVariableSchema>;

/** The normalized definition, with the parts these pages use typed (the rest kept as sent). */
export const eggDefinitionSchema = z
  .object({
    uuid: z.string(),
    name: z.string(),
    author: z.string(),
    description: z.string(),
    docker_images: z.array(z.object({ label: z.string(), image: z.string() })),
    startup_commands: z.array(z.object({ name: z.string(), command: z.string() })),
    variables: z.array(eggVariableSchema),
  })
  .loose();

/** One egg, whole (`GET …/eggs/{egg}`, the import's answer). */
export const eggSchema = z.object({
  id: z.string(),
  org_id: z.string(),
  definition: eggDefinitionSchema,
  created_at: z.string(),
  updated_at: z.string(),
});
export type EggRow = z.infer<typeof eggSchema>;

/** The variables in the order a server's page shows them: `sort`, then as the egg lists them. */
export function sortedVariables(variables: readonly EggVariableRow[]): EggVariableRow[] {
  return variables
    .map((v, i) => ({ v, i }))
    .sort((a, b) => (a.v.sort ?? Number.MAX_SAFE_INTEGER) - (b.v.sort ?? Number.MAX_SAFE_INTEGER) || a.i - b.i)
    .map(({ v }) => v);
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One row of the variables editor; `rules` as typed, one per line or `|`-separated. */
export const variableFormSchema = z.object({
  name: z.string().trim().min(1, "Enter a name.").max(255, "Use at most 255 characters."),
  description: z.string(),
  env_variable: z
    .string()
    .trim()
    .refine((v) => ENV_NAME.test(v), "Use letters, digits and underscores, not starting with a digit."),
  default_value: z.string(),
  user_viewable: z.boolean(),
  user_editable: z.boolean(),
  rules: z.string().superRefine((text, ctx) => {
    for (const rule of splitRules(text)) {
      const problem = ruleProblem(rule);
      if (problem) ctx.addIssue({ code: "custom", message: `Rule \`${rule}\`: ${problem}.` });
    }
  }),
});

export const variablesFormSchema = z
  .object({ variables: z.array(variableFormSchema) })
  .superRefine((value, ctx) => {
    const seen = new Map<string, number>();
    value.variables.forEach((v, i) => {
      const name = v.env_variable.trim();
      if (seen.has(name))
        ctx.addIssue({ code: "custom", path: ["variables", i, "env_variable"], message: "Another variable uses this name." });
      seen.set(name, i);
    });
  });
export type VariablesFormValues = z.infer<typeof variablesFormSchema>;

/**
 * Rules as typed in the editor (one per line, or a legacy `a|b` string),
 * split without breaking a `|` inside a `regex:` pattern.
 */
export function splitRules(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "") continue;
    if (/^(not_)?regex:/.test(trimmed)) {
      out.push(trimmed);
      continue;
    }
    for (const piece of trimmed.split("|")) if (piece.trim() !== "") out.push(piece.trim());
  }
  return out;
}
