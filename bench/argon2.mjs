// One argon2id hash (19 MiB, t=2, p=1), natively and inside the Worker,
// measured in the same run. Inside workerd (wrangler dev) a hash is timed as
// the median of a correct-password login minus the median of a request that
// does the same reads but no hash (GET /api/auth/me with the session).
// Run: scripts/with-tools.sh node bench/argon2.mjs
import { execFileSync } from "node:child_process";
import { startEdge, ROOT } from "../tests/lib/stack.mjs";
import { client } from "../tests/lib/client.mjs";

const ROUNDS = 15;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const native = Number(
  execFileSync("cargo", ["run", "--quiet", "--release", "-p", "edge-api", "--example", "hash_timing", String(ROUNDS)], {
    cwd: ROOT,
    encoding: "utf8",
  }).trim(),
);

const edge = await startEdge();
try {
  const owner = client(edge.url, { ip: "192.0.2.77" });
  const password = "correct horse battery";
  await owner.post("/api/setup", { name: "Bench", email: "bench@example.com", password, organization: "Bench" });
  const time = async (fn) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const logins = [];
  const plain = [];
  for (let i = 0; i < ROUNDS; i++) {
    logins.push(await time(() => owner.post("/api/auth/login", { email: "bench@example.com", password })));
    plain.push(await time(() => owner.get("/api/auth/me")));
  }
  const inWorker = median(logins) - median(plain);
  console.log(`argon2id hash, native (release):  ${native.toFixed(1)} ms`);
  console.log(`argon2id hash, inside workerd:    ${inWorker.toFixed(1)} ms  (login ${median(logins).toFixed(1)} ms - plain request ${median(plain).toFixed(1)} ms)`);
  console.log(`ratio workerd / native:           ${(inWorker / native).toFixed(2)}x`);
} finally {
  await edge.stop();
}
