import type { NewServer } from "@/api/generated/NewServer";
import type { EggVariableRow } from "@/features/eggs/schemas/egg";
import { asSentence, checkRules } from "@/features/eggs/utils/rules";
import { nameRule } from "@/lib/validation";

/** The wizard's steps, in order. */
export const STEPS = ["node", "egg", "resources", "variables", "review"] as const;
export type Step = (typeof STEPS)[number];

export const STEP_TITLES: Record<Step, string> = {
  node: "Node",
  egg: "Egg",
  resources: "Resources and allocation",
  variables: "Variables",
  review: "Review",
};

/** Everything the wizard collects; numbers as typed (strings) until sent. */
export type WizardValues = {
  node_id: string;
  egg_id: string;
  name: string;
  description: string;
  memory: string;
  swap: string;
  disk: string;
  io: string;
  cpu: string;
  /** An allocation id, or "auto" for the node's first free one. */
  allocation: string;
  docker_image: string;
  startup: string;
  environment: Record<string, string>;
  start_on_completion: boolean;
};

export const INITIAL_VALUES: WizardValues = {
  node_id: "",
  egg_id: "",
  name: "",
  description: "",
  memory: "1024",
  swap: "0",
  disk: "5120",
  io: "500",
  cpu: "100",
  allocation: "auto",
  docker_image: "",
  startup: "",
  environment: {},
  start_on_completion: true,
};

/** Field problems by the API's field names (`limits.memory`, `environment.VAR`, …). */
export type Problems = Record<string, string>;

const MAX_MIB = 16 * 1024 * 1024;

function whole(text: string): number | undefined {
  return /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

/** The limits as the API's `check_limits` checks them, with its ranges. */
function limitProblems(values: WizardValues): Problems {
  const out: Problems = {};
  const range = (field: "memory" | "swap" | "disk" | "io" | "cpu", low: number, high: number, what: string) => {
    const n = whole(values[field]);
    if (n === undefined || n < low || n > high) out[`limits.${field}`] = `Must be ${what}.`;
  };
  range("memory", 0, MAX_MIB, "0 (unlimited) or more MiB");
  range("swap", -1, MAX_MIB, "-1 (unlimited), 0 or more MiB");
  range("disk", 0, MAX_MIB, "0 (unlimited) or more MiB");
  range("io", 10, 1000, "between 10 and 1000");
  range("cpu", 0, 100_000, "0 (unlimited) or a percentage of one core");
  return out;
}

/** One variable's value checked with the egg's rules, as the API will. */
export function variableProblem(variable: EggVariableRow, value: string): string | undefined {
  const problem = checkRules(variable.rules, value);
  return problem ? asSentence(problem) : undefined;
}

/** The value a variable starts with in the wizard: what was typed, else the egg's default. */
export function valueOf(variable: EggVariableRow, environment: Record<string, string>): string {
  return environment[variable.env_variable] ?? variable.default_value;
}

/** What is wrong on one step, by field; empty when the step may be left. */
export function stepProblems(step: Step, values: WizardValues, variables: readonly EggVariableRow[]): Problems {
  const out: Problems = {};
  switch (step) {
    case "node":
      if (!values.node_id) out.node_id = "Choose a node.";
      break;
    case "egg":
      if (!values.egg_id) out.egg_id = "Choose an egg.";
      break;
    case "resources": {
      const name = nameRule.safeParse(values.name);
      if (!name.success) out.name = name.error.issues[0]?.message ?? "Enter a name.";
      if (Array.from(values.description).length > 1000) out.description = "Use at most 1000 characters.";
      Object.assign(out, limitProblems(values));
      if (!values.allocation) out.allocation_id = "Choose an allocation.";
      break;
    }
    case "variables":
      for (const variable of variables) {
        const problem = variableProblem(variable, valueOf(variable, values.environment));
        if (problem) out[`environment.${variable.env_variable}`] = problem;
      }
      if (values.startup.trim() === "" || values.startup.length > 4096)
        out.startup = "Enter a startup command of at most 4096 characters.";
      if (values.docker_image.trim() === "") out.docker_image = "Choose a docker image.";
      break;
    case "review":
      break;
  }
  return out;
}

/** The step a field of the API's answer belongs to, to send the person back there. */
export function stepOfField(field: string): Step {
  if (field === "node_id") return "node";
  if (field === "egg_id") return "egg";
  if (field.startsWith("environment") || field === "startup" || field === "docker_image") return "variables";
  return "resources";
}

/** `POST /api/orgs/{org}/servers`'s body from the wizard's values. */
export function toNewServer(values: WizardValues, variables: readonly EggVariableRow[]): NewServer {
  const environment: Record<string, string> = {};
  for (const variable of variables) environment[variable.env_variable] = valueOf(variable, values.environment);
  return {
    name: values.name.trim(),
    ...(values.description.trim() ? { description: values.description.trim() } : {}),
    node_id: values.node_id,
    egg_id: values.egg_id,
    ...(values.allocation === "auto" ? { auto_allocation: true } : { allocation_id: values.allocation }),
    limits: {
      memory: Number(values.memory),
      swap: Number(values.swap),
      disk: Number(values.disk),
      io: Number(values.io),
      cpu: Number(values.cpu),
    },
    docker_image: values.docker_image,
    startup: values.startup,
    environment,
    start_on_completion: values.start_on_completion,
  };
}
