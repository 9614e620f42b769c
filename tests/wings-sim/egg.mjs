// An egg for whole-system tests of game servers (not part of the simulator's
// Wings side): a normalized definition stored straight into D1.
import { randomUUID } from "node:crypto";
import { d1 } from "../lib/stack.mjs";

/**
 * Stores a Paper-like egg (after the public pelican-eggs Paper egg) straight
 * into the D1 of `edge` (from tests/lib/stack.mjs startEdge) for `orgId`, as
 * its normalized definition (game::egg::EggDefinition), for tests that need
 * an egg before the egg import routes exist. Its config file, startup line,
 * stop command, variables with rules and install script exercise every part
 * of process_configuration. Answers { id, uuid, definition }.
 */
export async function storeEgg(edge, orgId) {
  const definition = {
    uuid: randomUUID(),
    name: "Paper",
    author: "parker@example.com",
    description: "High performance Spigot fork.",
    features: ["eula", "java_version", "pid_limit"],
    docker_images: [
      { label: "Java 21", image: "ghcr.io/pelican-eggs/yolks:java_21" },
      { label: "Java 17", image: "ghcr.io/pelican-eggs/yolks:java_17" },
    ],
    file_denylist: [],
    startup_commands: [{ name: "Default", command: "java -Xms128M -Xmx{{SERVER_MEMORY}}M -jar {{SERVER_JARFILE}}" }],
    config: {
      files: {
        "server.properties": { parser: "properties", find: { "server-ip": "0.0.0.0", "server-port": "{{server.build.default.port}}", "query.port": "{{server.build.default.port}}" } },
      },
      startup: { done: [")! For help, type "], strip_ansi: false },
      logs: {},
      stop: "stop",
    },
    install: { script: "#!/bin/ash\ncurl -o server.jar https://example.invalid/paper.jar", container: "ghcr.io/pelican-eggs/installers:alpine", entrypoint: "ash" },
    variables: [
      { name: "Minecraft Version", description: "", env_variable: "MINECRAFT_VERSION", default_value: "latest", user_viewable: true, user_editable: true, rules: ["nullable", "string", "max:20"], sort: 1 },
      { name: "Server Jar File", description: "", env_variable: "SERVER_JARFILE", default_value: "server.jar", user_viewable: true, user_editable: true, rules: ["required", "regex:/^([\\w\\d._-]+)(\\.jar)$/"], sort: 2 },
      { name: "Build Number", description: "", env_variable: "BUILD_NUMBER", default_value: "latest", user_viewable: true, user_editable: true, rules: ["required", "string", "max:20"], sort: 3 },
    ],
  };
  const id = randomUUID();
  const now = new Date().toISOString();
  const q = (v) => `'${String(v).replaceAll("'", "''")}'`;
  await d1(edge, `INSERT INTO eggs (id, org_id, uuid, name, author, description, definition, created_at, updated_at) VALUES (${[id, orgId, definition.uuid, definition.name, definition.author, definition.description, JSON.stringify(definition), now, now].map(q).join(", ")})`);
  return { id, uuid: definition.uuid, definition };
}
