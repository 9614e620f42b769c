import { describe, expect, it } from "vitest";

import type { EggVariableRow } from "@/features/eggs/schemas/egg";
import { INITIAL_VALUES, stepOfField, stepProblems, toNewServer } from "@/features/new-server/schemas/wizard";

const jar: EggVariableRow = {
  name: "Server jar",
  description: "",
  env_variable: "SERVER_JARFILE",
  default_value: "server.jar",
  user_viewable: true,
  user_editable: true,
  rules: ["required", "regex:/^([\\w\\d._-]+)(\\.jar)$/"],
};
const version: EggVariableRow = { ...jar, name: "Version", env_variable: "VERSION", default_value: "", rules: ["required", "string", "max:20"] };

describe("the new server wizard", () => {
  it("needs a node and an egg before going on", () => {
    expect(stepProblems("node", INITIAL_VALUES, [])).toEqual({ node_id: "Choose a node." });
    expect(stepProblems("egg", { ...INITIAL_VALUES, node_id: "n" }, [])).toEqual({ egg_id: "Choose an egg." });
  });

  it("checks name and limits with the API's ranges", () => {
    const problems = stepProblems("resources", { ...INITIAL_VALUES, name: " ", memory: "-1", io: "5", swap: "-1" }, []);
    expect(problems).toEqual({
      name: "Enter a name.",
      "limits.memory": "Must be 0 (unlimited) or more MiB.",
      "limits.io": "Must be between 10 and 1000.",
    });
  });

  it("checks variables with the egg's rules, defaults included", () => {
    const values = { ...INITIAL_VALUES, docker_image: "img", startup: "java -jar {{SERVER_JARFILE}}" };
    expect(stepProblems("variables", values, [jar, version])).toEqual({ "environment.VERSION": "Is required." });
    const typed = { ...values, environment: { SERVER_JARFILE: "server.zip", VERSION: "1.21" } };
    expect(stepProblems("variables", typed, [jar, version])).toEqual({
      "environment.SERVER_JARFILE": "Is not in the format the egg requires.",
    });
  });

  it("sends every variable and either an allocation or auto_allocation", () => {
    const values = { ...INITIAL_VALUES, name: "mc", node_id: "n", egg_id: "e", environment: { VERSION: "1.21" } };
    const body = toNewServer(values, [jar, version]);
    expect(body).toMatchObject({
      name: "mc",
      auto_allocation: true,
      environment: { SERVER_JARFILE: "server.jar", VERSION: "1.21" },
      limits: { memory: 1024, swap: 0, disk: 5120, io: 500, cpu: 100 },
    });
    expect(toNewServer({ ...values, allocation: "a1" }, [])).toMatchObject({ allocation_id: "a1" });
    expect(stepOfField("environment.VERSION")).toBe("variables");
    expect(stepOfField("auto_allocation")).toBe("resources");
  });
});
