// Rate limits on the real runtime (workerd + local D1): fifty simultaneous
// wrong attempts at each limited route get no more real answers than the
// limit allows (the rest are 429 with Retry-After), and wrong passwords from
// one IP never lock the account's owner out from another.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startEdge } from "./lib/stack.mjs";
import { client } from "./lib/client.mjs";
import { totp } from "./lib/browser.mjs";

const PASSWORD = "correct horse battery";
const BURST = 50;
/** The limits README.md states (per 15 minutes unless said). */
const LIMIT = { pair: 5, ip: 30, user: 5, token: 5, activate: 5, deviceStarts: 30 };

let edge;
let owner;
let org;
let users = 0;

before(async () => {
  edge = await startEdge();
  owner = client(edge.url, { ip: "198.51.100.1" });
  const setup = await owner.post("/api/setup", { name: "Ada", email: "ada@example.com", password: PASSWORD, organization: "Ada Lab" });
  assert.equal(setup.status, 201, JSON.stringify(setup.json));
  org = setup.json.memberships[0].slug;
});
after(async () => {
  await edge?.stop();
});

/** A new viewer account (invited by the owner), signed in from `ip`. */
async function newUser(ip) {
  users += 1;
  const email = `user${users}@example.com`;
  const invite = await owner.post(`/api/orgs/${org}/invitations`, { role: "viewer", email });
  assert.equal(invite.status, 201, JSON.stringify(invite.json));
  const user = client(edge.url, { ip });
  const joined = await user.post(`/api/join/${invite.json.token}`, { name: `User ${users}`, email, password: PASSWORD });
  assert.equal(joined.status, 201, JSON.stringify(joined.json));
  const login = await user.post("/api/auth/login", { email, password: PASSWORD });
  assert.equal(login.status, 200, JSON.stringify(login.json));
  return { user, email };
}

/** Starts two-factor setup for `user`; returns the base32 secret. */
async function startTotp(user) {
  const setup = await user.post("/api/auth/totp/setup");
  assert.equal(setup.status, 200, JSON.stringify(setup.json));
  return setup.json.secret;
}

/** Turns two-factor sign-in on for `user`; returns the secret. */
async function enableTotp(user) {
  const secret = await startTotp(user);
  const enabled = await user.post("/api/auth/totp/enable", { code: totp(secret) });
  assert.equal(enabled.status, 200, JSON.stringify(enabled.json));
  return secret;
}

/** `count` six-digit codes, none valid for `secret` around now. */
function wrongCodes(secret, count) {
  const now = Date.now();
  const valid = new Set([-60_000, -30_000, 0, 30_000, 60_000].map((d) => totp(secret, now + d)));
  const codes = [];
  for (let n = 100_000; codes.length < count; n += 7919) {
    const code = String(n % 1_000_000).padStart(6, "0");
    if (!valid.has(code)) codes.push(code);
  }
  return codes;
}

/**
 * `send()`, sent again when wrangler dev's proxy answers 503 "Your worker
 * restarted mid-request" (it drops some requests of a CPU-heavy burst and
 * retries only GETs itself). Returns the reply and how many were dropped.
 */
async function unlessDropped(send) {
  for (let dropped = 0; ; dropped++) {
    const reply = await send();
    if (reply.status !== 503 || reply.json !== null || dropped >= 5) return { reply, dropped };
  }
}

/**
 * Sends BURST requests at once (`send(i)` makes the i-th); checks that each
 * answer is either `miss` (the route's wrong-attempt status, with `code` when
 * given) or 429 with Retry-After, and that exactly `limit` got past the limit
 * (a request the dev proxy dropped may have been counted and checked without
 * an answer: each such one may stand for one miss not seen).
 */
async function burst(what, { limit, miss, code }, send) {
  const sent = await Promise.all(Array.from({ length: BURST }, (_, i) => unlessDropped(() => send(i))));
  const replies = sent.map((s) => s.reply);
  const dropped = sent.reduce((n, s) => n + s.dropped, 0);
  const tally = { dropped };
  for (const r of replies) tally[r.status] = (tally[r.status] ?? 0) + 1;
  const seen = `${what}: ${JSON.stringify(tally)}`;
  for (const r of replies) {
    if (r.status === 429) {
      assert.equal(r.json?.error?.code, "rate_limited", seen);
      assert.ok(Number(r.headers.get("retry-after")) > 0, `${seen}: Retry-After`);
    } else {
      assert.equal(r.status, miss, `${seen}: ${JSON.stringify(r.json)}`);
      if (code) assert.equal(r.json?.error?.code, code, seen);
    }
  }
  const misses = replies.filter((r) => r.status !== 429).length;
  assert.ok(misses <= limit, `${seen}: more than ${limit} attempts were checked`);
  assert.ok(misses >= limit - dropped, `${seen}: the limit is ${limit}`);
  if (dropped === 0) assert.equal(misses, limit, seen);
}

test("simultaneous wrong passwords for one account from one IP: only the pair limit is checked", async () => {
  const { email } = await newUser("192.0.2.11");
  const attacker = client(edge.url, { ip: "203.0.113.11" });
  await burst("login, wrong password", { limit: LIMIT.pair, miss: 401, code: "invalid_credentials" }, (i) =>
    attacker.post("/api/auth/login", { email, password: `wrong password ${i}` }),
  );
});

test("simultaneous wrong passwords for many accounts from one IP: only the per-IP limit is checked", async () => {
  const sprayer = client(edge.url, { ip: "203.0.113.12" });
  await burst("login, spraying accounts", { limit: LIMIT.ip, miss: 401, code: "invalid_credentials" }, (i) =>
    sprayer.post("/api/auth/login", { email: `nobody${i}@example.com`, password: `wrong password ${i}` }),
  );
});

test("simultaneous right passwords with wrong TOTP codes: only the pair limit is checked", async () => {
  const { user, email } = await newUser("192.0.2.13");
  const secret = await enableTotp(user);
  const codes = wrongCodes(secret, BURST);
  const attacker = client(edge.url, { ip: "203.0.113.13" });
  await burst("login, wrong totp", { limit: LIMIT.pair, miss: 401, code: "invalid_totp" }, (i) =>
    attacker.post("/api/auth/login", { email, password: PASSWORD, totp: codes[i] }),
  );
});

test("simultaneous wrong current passwords on a password change", async () => {
  const { user } = await newUser("192.0.2.14");
  await burst("password change", { limit: LIMIT.user, miss: 422 }, (i) =>
    user.put("/api/auth/password", { current_password: `wrong password ${i}`, new_password: "another good password" }),
  );
});

test("simultaneous wrong codes at each two-factor route", async () => {
  const pending = (await newUser("192.0.2.15")).user;
  const pendingSecret = await startTotp(pending);
  const enableCodes = wrongCodes(pendingSecret, BURST);
  await burst("totp enable", { limit: LIMIT.user, miss: 422 }, (i) => pending.post("/api/auth/totp/enable", { code: enableCodes[i] }));

  const disabling = (await newUser("192.0.2.16")).user;
  const disableCodes = wrongCodes(await enableTotp(disabling), BURST);
  await burst("totp disable", { limit: LIMIT.user, miss: 422 }, (i) =>
    disabling.post("/api/auth/totp/disable", { password: PASSWORD, code: disableCodes[i] }),
  );

  const regenerating = (await newUser("192.0.2.17")).user;
  const recoveryCodes = wrongCodes(await enableTotp(regenerating), BURST);
  await burst("totp recovery codes", { limit: LIMIT.user, miss: 422 }, (i) =>
    regenerating.post("/api/auth/totp/recovery-codes", { code: recoveryCodes[i] }),
  );
});

test("simultaneous bad invitation tokens from one IP", async () => {
  const guesser = client(edge.url, { ip: "203.0.113.18" });
  await burst("join", { limit: LIMIT.token, miss: 404 }, (i) =>
    guesser.post(`/api/join/guess-${i}`, { name: "Eve", email: `eve${i}@example.com`, password: PASSWORD }),
  );
});

test("simultaneous bad enrollment tokens from one IP", async () => {
  const guesser = client(edge.url, { ip: "203.0.113.19" });
  await burst("enroll", { limit: LIMIT.token, miss: 404 }, (i) =>
    guesser.post("/api/tunnel-hosts/enroll", { enrollment_token: `fte_guess${i}` }),
  );
});

test("simultaneous bad activation codes", async () => {
  const { user } = await newUser("192.0.2.20");
  await burst("activate", { limit: LIMIT.activate, miss: 404 }, (i) =>
    user.post("/api/activate", { code: `ZZZZ-${String(1000 + i)}` }),
  );
});

test("simultaneous device authorizations one tunnel host starts", async () => {
  const created = await owner.post(`/api/orgs/${org}/tunnel-hosts`, { name: "knocked" });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const host = client(edge.url, { ip: "192.0.2.21" });
  const enrolled = await host.post("/api/tunnel-hosts/enroll", { enrollment_token: created.json.enrollment_token });
  assert.equal(enrolled.status, 201, JSON.stringify(enrolled.json));
  const credential = { "x-flamingo-host": enrolled.json.credential };
  // Not a real key: each start is counted before the key is parsed (422).
  await burst("device start", { limit: LIMIT.deviceStarts, miss: 422 }, () =>
    host.post("/api/tunnel-hosts/device", { fingerprint: "SHA256:nope", public_key: "not a key" }, credential),
  );
});

test("wrong passwords from one IP do not lock the owner out from another", async () => {
  const attacker = client(edge.url, { ip: "203.0.113.22" });
  for (let round = 1; round <= 2; round++) {
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) => attacker.post("/api/auth/login", { email: "ada@example.com", password: `wrong ${round} ${i}` })),
    );
    assert.ok(replies.some((r) => r.status === 429), `round ${round}: the attacker's IP is limited`);
    // The right password from the attacker's IP is refused too: that pair is spent.
    assert.equal((await attacker.post("/api/auth/login", { email: "ada@example.com", password: PASSWORD })).status, 429);
    // The owner, from an address that has not failed, signs in.
    const ada = client(edge.url, { ip: `198.51.100.${10 + round}` });
    const signedIn = await ada.post("/api/auth/login", { email: "ada@example.com", password: PASSWORD });
    assert.equal(signedIn.status, 200, `round ${round}: ${JSON.stringify(signedIn.json)}`);
    assert.equal((await ada.get("/api/auth/me")).status, 200);
  }
});
