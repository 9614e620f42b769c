// Live events: how long from a mutation (PATCH /api/orgs/{org}, which
// publishes `audit.created` after its D1 batch) to the event arriving on
// 1 and on 100 open SSE streams, against `wrangler dev` on loopback.
// Latency is measured from sending the mutation, since the hub has fanned
// the event out before the mutation answers.
// Run: scripts/with-tools.sh node bench/events.mjs
import { startEdge } from "../tests/lib/stack.mjs";
import { client } from "../tests/lib/client.mjs";
import { openEvents } from "../tests/lib/sse.mjs";

const ROUNDS = 20;
const WARMUP = 3;
const FANOUTS = [1, 100];

const quantile = (xs, q) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const ms = (x) => `${x.toFixed(1)} ms`.padStart(9);

const edge = await startEdge();
try {
  const owner = client(edge.url, { ip: "192.0.2.88" });
  const setup = await owner.post("/api/setup", {
    name: "Bench", email: "bench@example.com", password: "correct horse battery", organization: "Bench",
  });
  const org = setup.json.memberships[0].slug;
  const url = `${edge.url}/api/orgs/${org}/events`;

  // The hub lets one user open 8 streams (durable_state::hub::MAX_STREAMS_PER_USER):
  // spread them over enough members, at most 7 each (a stream closed just
  // before may hold its place until the hub next writes to it).
  const readers = [owner];
  while (readers.length * 7 < Math.max(...FANOUTS)) {
    const n = readers.length;
    const invite = await owner.post(`/api/orgs/${org}/invitations`, { role: "viewer" });
    if (invite.status !== 201) throw new Error(`invite answered ${invite.status}`);
    const reader = client(edge.url, { ip: "192.0.2.89" });
    const joined = await reader.post(`/api/join/${invite.json.token}`, {
      name: `Reader ${n}`, email: `reader${n}@example.com`, password: "correct horse battery",
    });
    if (joined.status !== 201 || !reader.cookie) throw new Error(`join answered ${joined.status}`);
    readers.push(reader);
  }

  const results = {};
  for (const count of FANOUTS) {
    const streams = await Promise.all(
      Array.from({ length: count }, (_, i) => openEvents(url, { headers: { cookie: readers[i % readers.length].cookie } })),
    );
    try {
      for (const s of streams) if ((await s.next()).event !== "ready") throw new Error("no ready");
      const first = [];
      const all = [];
      const last = [];
      const mutation = [];
      for (let round = 0; round < WARMUP + ROUNDS; round++) {
        const sent = performance.now();
        const res = await owner.patch(`/api/orgs/${org}`, { name: `Bench ${count} ${round}` });
        const answered = performance.now();
        if (res.status !== 200) throw new Error(`rename answered ${res.status}`);
        const got = await Promise.all(streams.map((s) => s.next({ timeoutMs: 10_000 })));
        if (round < WARMUP) continue;
        const delays = got.map((m) => {
          if (m?.event !== "audit.created") throw new Error(`expected audit.created, got ${JSON.stringify(m)}`);
          return m.receivedAt - sent;
        });
        mutation.push(answered - sent);
        all.push(...delays);
        first.push(Math.min(...delays));
        last.push(Math.max(...delays));
      }
      results[count] = { mutation: quantile(mutation, 0.5), p50: quantile(all, 0.5), p95: quantile(all, 0.95), last: quantile(last, 0.5) };
    } finally {
      for (const s of streams) s.close();
    }
  }

  console.log(`mutation -> event received, ${ROUNDS} rounds each (loopback, wrangler dev)`);
  console.log("streams   mutation p50   receipt p50   receipt p95   last stream p50");
  for (const count of FANOUTS) {
    const r = results[count];
    console.log(`${String(count).padStart(7)}   ${ms(r.mutation)}      ${ms(r.p50)}     ${ms(r.p95)}     ${ms(r.last)}`);
  }
  const [one, many] = FANOUTS.map((c) => results[c]);
  console.log(`ratio ${FANOUTS[1]}/${FANOUTS[0]}: receipt p50 ${(many.p50 / one.p50).toFixed(2)}x, last stream ${(many.last / one.last).toFixed(2)}x`);
} finally {
  await edge.stop();
}
