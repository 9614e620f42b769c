// Accounts on the real runtime: first run, rate limits, cookies, invitations,
// roles, the audit log and logout, against `wrangler dev`.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startEdge } from "./lib/stack.mjs";
import { client } from "./lib/client.mjs";

const PASSWORD = "correct horse battery";
let edge;
let owner;
before(async () => {
  edge = await startEdge();
});
after(async () => {
  await edge?.stop();
});

test("setup, rate limits, invitations, roles, audit and logout", async () => {
  owner = client(edge.url, { ip: "198.51.100.1" });
  assert.deepEqual((await owner.get("/api/setup")).json, { needed: true });
  const setup = await owner.post("/api/setup", { name: "Ada", email: "ada@example.com", password: PASSWORD, organization: "Ada Lab" });
  assert.equal(setup.status, 201, JSON.stringify(setup.json));
  const org = setup.json.memberships[0].slug;

  // A second setup is refused, whoever asks.
  const again = await client(edge.url).post("/api/setup", { name: "Eve", email: "eve@example.com", password: PASSWORD, organization: "Eve" });
  assert.equal(again.status, 409);
  assert.equal(again.json.error.code, "already_set_up");

  // Six wrong passwords from one IP: the sixth is refused with Retry-After...
  const attacker = client(edge.url, { ip: "203.0.113.66" });
  for (let i = 1; i <= 5; i++) {
    const r = await attacker.post("/api/auth/login", { email: "ada@example.com", password: "wrong password " + i });
    assert.equal(r.status, 401, `attempt ${i}`);
  }
  const sixth = await attacker.post("/api/auth/login", { email: "ada@example.com", password: "wrong password 6" });
  assert.equal(sixth.status, 429);
  assert.ok(Number(sixth.headers.get("retry-after")) > 0);
  // ...for that IP and that account only: the owner still signs in from another IP.
  const elsewhere = await client(edge.url, { ip: "203.0.113.67" }).post("/api/auth/login", { email: "ada@example.com", password: PASSWORD });
  assert.equal(elsewhere.status, 200, "the account is not locked for other IPs");

  // Invite a viewer; they join with a second client and a new account.
  const invite = await owner.post(`/api/orgs/${org}/invitations`, { role: "viewer" });
  assert.equal(invite.status, 201, JSON.stringify(invite.json));
  const token = invite.json.token;
  const viewer = client(edge.url, { ip: "192.0.2.50" });
  const preview = await viewer.get(`/api/join/${token}`);
  assert.equal(preview.status, 200, JSON.stringify(preview.json));
  assert.equal(preview.json.role, "viewer");
  const joined = await viewer.post(`/api/join/${token}`, { name: "Vic", email: "vic@example.com", password: PASSWORD });
  assert.equal(joined.status, 201, JSON.stringify(joined.json));
  assert.deepEqual(joined.json.memberships.map((m) => [m.slug, m.role]), [[org, "viewer"]]);

  // Login sets the hardened cookie; the viewer reads but may not write.
  const login = await viewer.post("/api/auth/login", { email: "vic@example.com", password: PASSWORD });
  assert.equal(login.status, 200);
  for (const flag of ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"]) assert.ok(login.setCookie.includes(flag), flag);
  assert.equal((await viewer.get(`/api/orgs/${org}/members`)).status, 200);
  const refused = await viewer.post(`/api/orgs/${org}/invitations`, { role: "viewer" });
  assert.equal(refused.status, 403);
  assert.equal(refused.json.error.code, "forbidden");

  // The audit log has the setup, the invitation and the join.
  const audit = await owner.get(`/api/orgs/${org}/audit`);
  assert.equal(audit.status, 200);
  const actions = audit.json.items.map((e) => e.action);
  for (const action of ["instance.setup", "member.invite", "member.join"]) assert.ok(actions.includes(action), `${action} in ${actions}`);
  assert.equal(audit.json.items.find((e) => e.action === "member.invite").ip, "198.51.100.1");

  // Logout kills the session: the same cookie no longer works.
  const cookie = viewer.cookie;
  assert.equal((await viewer.post("/api/auth/logout")).status, 204);
  viewer.cookie = cookie;
  assert.equal((await viewer.get("/api/auth/me")).status, 401);
});

test("cross-site cookie writes are refused", async () => {
  assert.ok(owner?.cookie, "signed in by the setup test");
  const forged = await owner.post("/api/orgs", { name: "Forged" }, { origin: "https://evil.example" });
  assert.equal(forged.status, 403);
  assert.equal(forged.json.error.code, "csrf");
  const missing = await owner.post("/api/orgs", { name: "Forged" }, { origin: "" });
  assert.equal(missing.status, 403);
  const same = await owner.post("/api/orgs", { name: "Second Lab" });
  assert.equal(same.status, 201, JSON.stringify(same.json));
});
