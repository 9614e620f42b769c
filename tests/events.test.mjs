// Live events on the real runtime: an organization's SSE stream through the
// Worker and its EventHub Durable Object under `wrangler dev`: fan-out in
// order, Last-Event-ID replay (and a bad one refused), what a viewer gets,
// removed members, signed-out, revoked and password-changed sessions, the
// per-user stream cap and keepalives.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startEdge, waitFor } from "./lib/stack.mjs";
import { client } from "./lib/client.mjs";
import { openEvents } from "./lib/sse.mjs";

const PASSWORD = "correct horse battery";
/** The hub sends `: keepalive` this often (durable_state::hub::KEEPALIVE_SECS). */
const KEEPALIVE_MS = 25_000;
/** Streams one user may have open in an organization (durable_state::hub::MAX_STREAMS_PER_USER). */
const MAX_STREAMS_PER_USER = 8;

let edge;
let owner;
let org;
let renames = 0;
/** Opened first and left idle, to see a keepalive at the end. */
let idle;
let idleSince;

before(async () => {
  edge = await startEdge();
  owner = client(edge.url, { ip: "198.51.100.20" });
  const setup = await owner.post("/api/setup", { name: "Ada", email: "ada@example.com", password: PASSWORD, organization: "Ada Lab" });
  assert.equal(setup.status, 201, JSON.stringify(setup.json));
  org = setup.json.memberships[0].slug;
  idle = await events(owner);
  idleSince = Date.now();
  assert.equal((await idle.next()).event, "ready");
});
after(async () => {
  idle?.close();
  await edge?.stop();
});

/** Opens the organization's event stream as `who`. */
function events(who, options = {}) {
  return openEvents(`${edge.url}/api/orgs/${org}/events`, { headers: { cookie: who.cookie }, ...options });
}

/** Renames the organization: a mutation that publishes `audit.created`. */
async function rename() {
  renames += 1;
  const name = `Ada Lab ${renames}`;
  const res = await owner.patch(`/api/orgs/${org}`, { name });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return name;
}

/** The `ready` message that ends a stream's preamble; returns its id. */
async function ready(stream) {
  const message = await stream.next();
  assert.equal(message?.event, "ready", JSON.stringify(message));
  return Number(message.id);
}

test("the stream is an event stream, and every reader gets each event in order", async () => {
  const first = await events(owner);
  const second = await events(owner);
  try {
    for (const stream of [first, second]) {
      assert.equal(stream.status, 200);
      assert.match(stream.headers.get("content-type"), /^text\/event-stream/);
      assert.equal(stream.headers.get("cache-control"), "no-store");
    }
    const head = await ready(first);
    assert.equal(await ready(second), head);

    const names = [await rename(), await rename(), await rename()];
    for (const stream of [first, second]) {
      const got = [await stream.next(), await stream.next(), await stream.next()];
      assert.deepEqual(got.map((m) => m.event), ["audit.created", "audit.created", "audit.created"]);
      assert.deepEqual(got.map((m) => Number(m.id)), [head + 1, head + 2, head + 3]);
      assert.deepEqual(got.map((m) => m.data.metadata.to), names);
      assert.equal(got[0].data.action, "organization.update");
    }
  } finally {
    first.close();
    second.close();
  }
});

test("reconnecting with Last-Event-ID replays exactly the missed events", async () => {
  const stream = await events(owner);
  await ready(stream);
  await rename();
  const seen = await stream.next();
  stream.close();
  const missed = [await rename(), await rename()];

  const again = await events(owner, { lastEventId: seen.id });
  try {
    const replayed = [await again.next(), await again.next()];
    assert.deepEqual(replayed.map((m) => m.data.metadata.to), missed);
    assert.deepEqual(replayed.map((m) => Number(m.id)), [Number(seen.id) + 1, Number(seen.id) + 2]);
    assert.equal(await ready(again), Number(seen.id) + 2);
    assert.ok(await again.quiet(), "nothing more after ready");
  } finally {
    again.close();
  }

  // The same catch-up as JSON, for clients that poll.
  const page = await owner.get(`/api/orgs/${org}/events?last_event_id=${seen.id}`);
  assert.equal(page.status, 200);
  assert.equal(page.json.reset, false);
  assert.deepEqual(page.json.events.map((e) => e.data.metadata.to), missed);

  // An id this hub never gave: start over.
  const lost = await events(owner, { lastEventId: 10_000_000 });
  try {
    assert.equal((await lost.next()).event, "reset");
  } finally {
    lost.close();
  }
});

/** Invites a member with `role`; returns their signed-in client and user id. */
async function member(role, email) {
  const invite = await owner.post(`/api/orgs/${org}/invitations`, { role });
  assert.equal(invite.status, 201, JSON.stringify(invite.json));
  const who = client(edge.url, { ip: "192.0.2.60" });
  const joined = await who.post(`/api/join/${invite.json.token}`, { name: role, email, password: PASSWORD });
  assert.equal(joined.status, 201, JSON.stringify(joined.json));
  if (!who.cookie) assert.equal((await who.post("/api/auth/login", { email, password: PASSWORD })).status, 200);
  const me = await who.get("/api/auth/me");
  return { who, id: me.json.user.id };
}

test("a viewer's stream carries what a viewer may see", async () => {
  const viewer = await member("viewer", "vic@example.com");
  const stream = await events(viewer.who);
  try {
    assert.equal(stream.status, 200);
    const head = await ready(stream);
    // Everyone reads the audit log, so everyone gets `audit.created`. An
    // event for managers only (`tunnel_host.enrolled`) kept from a viewer's
    // stream is in tunnels.test.mjs; edge-api/tests/it/events.rs covers every
    // audience against every role.
    const name = await rename();
    const message = await stream.next();
    assert.equal(message.event, "audit.created");
    assert.equal(Number(message.id), head + 1);
    assert.equal(message.data.metadata.to, name);
  } finally {
    stream.close();
  }
});

test("a removed member cannot reconnect", async () => {
  const gone = await member("operator", "olga@example.com");
  const stream = await events(gone.who);
  assert.equal(stream.status, 200);
  const head = await ready(stream);
  assert.equal((await owner.delete(`/api/orgs/${org}/members/${gone.id}`)).status, 204);
  stream.close();
  const refused = await events(gone.who, { lastEventId: head });
  assert.equal(refused.status, 404);
});

test(
  "a removed member's open stream ends",
  async () => {
    const gone = await member("operator", "omar@example.com");
    const stream = await events(gone.who);
    try {
      await ready(stream);
      assert.equal((await owner.delete(`/api/orgs/${org}/members/${gone.id}`)).status, 204);
      assert.equal(await stream.next({ timeoutMs: 5_000 }), null, "the stream ends");
    } finally {
      stream.close();
    }
  },
);

test("one member gets at most 8 streams, and closed ones free their place", async () => {
  // A member with no streams yet, so the count is exact (the owner's closed
  // streams hold their places until the hub next writes to them).
  const busy = await member("viewer", "bea@example.com");
  const open = [];
  try {
    for (let n = 0; n < MAX_STREAMS_PER_USER; n++) {
      const stream = await events(busy.who);
      assert.equal(stream.status, 200, `stream ${n + 1}`);
      open.push(stream);
    }
    const refused = await events(busy.who);
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get("retry-after")) > 0);
    assert.match(refused.headers.get("content-type"), /application\/json/);
    await refused.ended;
    // Other members are not held up by them.
    const other = await member("viewer", "bo@example.com");
    const theirs = await events(other.who);
    assert.equal(theirs.status, 200);
    theirs.close();
  } finally {
    for (const stream of open) stream.close();
  }
  // The hub notices a gone client when writing to it fails: after an event
  // or two (or a keepalive), their places are free again.
  const reopened = await waitFor(
    async () => {
      await rename();
      await new Promise((r) => setTimeout(r, 200));
      const stream = await events(busy.who);
      if (stream.status === 200) return stream;
      stream.close();
      return null;
    },
    { timeoutMs: 30_000, what: "a place freed by an event" },
  );
  reopened.close();
});

test("a Last-Event-ID that is no event id is a JSON 400", async () => {
  for (const bad of ["nope", "-1", "9007199254740992", "18446744073709551616"]) {
    const byHeader = await events(owner, { lastEventId: bad });
    assert.equal(byHeader.status, 400, `header ${bad}`);
    await byHeader.ended;
    const byQuery = await owner.get(`/api/orgs/${org}/events?last_event_id=${bad}`);
    assert.equal(byQuery.status, 400, `query ${bad}`);
    assert.equal(byQuery.json.error.code, "invalid_last_event_id");
  }
});

/** A second signed-in session of `who` (same account, own cookie). */
async function secondSession(email) {
  const other = client(edge.url, { ip: "192.0.2.61" });
  const login = await other.post("/api/auth/login", { email, password: PASSWORD });
  assert.equal(login.status, 200, JSON.stringify(login.json));
  return other;
}

test("signing out ends that session's stream, not the others'", async () => {
  const ed = await member("viewer", "ed@example.com");
  const other = await secondSession("ed@example.com");
  const leaving = await events(ed.who);
  const staying = await events(other);
  try {
    await ready(leaving);
    await ready(staying);
    assert.equal((await ed.who.post("/api/auth/logout")).status, 204);
    assert.equal(await leaving.next({ timeoutMs: 5_000 }), null, "the signed-out stream ends");
    const name = await rename();
    assert.equal((await staying.next()).data.metadata.to, name);
  } finally {
    leaving.close();
    staying.close();
  }
});

test("revoking a session ends its stream", async () => {
  const flo = await member("viewer", "flo@example.com");
  const other = await secondSession("flo@example.com");
  const stream = await events(flo.who);
  try {
    await ready(stream);
    const sessions = await other.get("/api/auth/sessions");
    const victim = sessions.json.find((s) => !s.current);
    assert.ok(victim, JSON.stringify(sessions.json));
    assert.equal((await other.delete(`/api/auth/sessions/${victim.id}`)).status, 204);
    assert.equal(await stream.next({ timeoutMs: 5_000 }), null, "the revoked session's stream ends");
  } finally {
    stream.close();
  }
});

test("a password change ends the other sessions' streams", async () => {
  const gus = await member("viewer", "gus@example.com");
  const other = await secondSession("gus@example.com");
  const others = await events(other);
  const mine = await events(gus.who);
  try {
    await ready(others);
    await ready(mine);
    const changed = await gus.who.put("/api/auth/password", { current_password: PASSWORD, new_password: "a brand new horse battery" });
    assert.equal(changed.status, 204, JSON.stringify(changed.json));
    assert.equal(await others.next({ timeoutMs: 5_000 }), null, "the other session's stream ends");
    const name = await rename();
    assert.equal((await mine.next()).data.metadata.to, name, "the changing session's stream goes on");
  } finally {
    others.close();
    mine.close();
  }
});

test("an idle stream gets keepalive comments", async () => {
  // The first is due KEEPALIVE_MS after the stream opened; a loaded machine may be late.
  await waitFor(() => idle.comments >= 1, {
    timeoutMs: Math.max(1_000, idleSince + 3 * KEEPALIVE_MS - Date.now()),
    what: `a keepalive comment since ${new Date(idleSince).toISOString()}`,
  });
});
