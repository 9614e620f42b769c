import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderHook } from "@testing-library/react";
import { createElement, type ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { staleKeys, useOrgEvents } from "@/lib/use-org-events";

type Listener = (event: MessageEvent<string>) => void;

/** An EventSource the test drives: it records what was opened and plays events. */
class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static opened: FakeEventSource[] = [];

  readonly url: string;
  readyState = FakeEventSource.CONNECTING;
  private readonly listeners = new Map<string, Listener[]>();

  constructor(url: string) {
    this.url = url;
    FakeEventSource.opened.push(this);
  }

  addEventListener(type: string, listener: Listener) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close() {
    this.readyState = FakeEventSource.CLOSED;
  }

  /** Delivers one SSE message. */
  emit(type: string, data: unknown, id?: string) {
    this.readyState = FakeEventSource.OPEN;
    const event = new MessageEvent(type, { data: JSON.stringify(data), lastEventId: id ?? "" });
    for (const listener of this.listeners.get(type) ?? []) listener(event);
  }

  /** The server refused or the connection failed; `closed` when EventSource gives up. */
  fail({ closed }: { closed: boolean }) {
    this.readyState = closed ? FakeEventSource.CLOSED : FakeEventSource.CONNECTING;
    for (const listener of this.listeners.get("error") ?? []) listener(new MessageEvent("error"));
  }

  static get last(): FakeEventSource {
    const last = FakeEventSource.opened.at(-1);
    if (!last) throw new Error("no EventSource opened");
    return last;
  }
}

function setup() {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const invalidate = vi.spyOn(queryClient, "invalidateQueries").mockResolvedValue();
  const wrapper = ({ children }: { children: ReactNode }) =>
    createElement(QueryClientProvider, { client: queryClient }, children);
  return { queryClient, invalidate, wrapper };
}

function invalidatedKeys(invalidate: ReturnType<typeof setup>["invalidate"]) {
  return invalidate.mock.calls.map(([filters]) => filters?.queryKey);
}

beforeEach(() => {
  FakeEventSource.opened = [];
  vi.stubGlobal("EventSource", FakeEventSource);
});

afterEach(() => {
  vi.useRealTimers();
});

describe("useOrgEvents", () => {
  it("shares one stream per organization and closes it with its last user", () => {
    const { wrapper } = setup();
    const first = renderHook(() => {
      useOrgEvents("ada-lab");
    }, { wrapper });
    const second = renderHook(() => {
      useOrgEvents("ada-lab");
    }, { wrapper });
    const other = renderHook(() => {
      useOrgEvents("bob-co");
    }, { wrapper });

    expect(FakeEventSource.opened.map((s) => s.url)).toEqual([
      "/api/orgs/ada-lab/events",
      "/api/orgs/bob-co/events",
    ]);
    const [ada, bob] = FakeEventSource.opened;
    first.unmount();
    expect(ada?.readyState).not.toBe(FakeEventSource.CLOSED);
    second.unmount();
    expect(ada?.readyState).toBe(FakeEventSource.CLOSED);
    expect(bob?.readyState).not.toBe(FakeEventSource.CLOSED);
    other.unmount();
    expect(bob?.readyState).toBe(FakeEventSource.CLOSED);
  });

  it("invalidates the audit log and the changed feature once per event", () => {
    const { invalidate, wrapper } = setup();
    const a = renderHook(() => {
      useOrgEvents("ada-lab");
    }, { wrapper });
    const b = renderHook(() => {
      useOrgEvents("ada-lab");
    }, { wrapper });

    FakeEventSource.last.emit("ready", { last_event_id: 4 }, "4");
    expect(invalidate).not.toHaveBeenCalled();

    FakeEventSource.last.emit(
      "audit.created",
      { action: "member.remove", resource_type: "user", resource_id: "u1" },
      "5",
    );
    expect(invalidatedKeys(invalidate)).toEqual([
      ["orgs", "ada-lab", "audit"],
      ["orgs", "ada-lab", "members"],
      ["auth"],
    ]);
    a.unmount();
    b.unmount();
  });

  it("invalidates everything of the organization on reset", () => {
    const { invalidate, wrapper } = setup();
    const hook = renderHook(() => {
      useOrgEvents("ada-lab");
    }, { wrapper });
    FakeEventSource.last.emit("reset", { last_event_id: 90 }, "90");
    expect(invalidatedKeys(invalidate)).toEqual([["orgs", "ada-lab"]]);
    hook.unmount();
  });

  it("listens for tunnel and host events", () => {
    const { invalidate, wrapper } = setup();
    const hook = renderHook(() => {
      useOrgEvents("ada-lab");
    }, { wrapper });
    FakeEventSource.last.emit("tunnel.opened", { id: "t1", name: "myapp" }, "7");
    FakeEventSource.last.emit("host.offline", { host_id: "h1" }, "8");
    FakeEventSource.last.emit("tunnel.stats", { host_id: "h1", tunnels: [{ id: "t1", requests: 3 }], changed: 1 }, "9");
    expect(invalidatedKeys(invalidate)).toEqual([
      ["orgs", "ada-lab", "tunnels"],
      ["orgs", "ada-lab", "tunnel-hosts"],
      ["orgs", "ada-lab", "tunnels"],
      ["orgs", "ada-lab", "tunnels"],
    ]);
    hook.unmount();
  });

  it("opens again after a refusal, resuming from the last event", () => {
    vi.useFakeTimers();
    const { wrapper } = setup();
    const hook = renderHook(() => {
      useOrgEvents("ada-lab");
    }, { wrapper });
    const first = FakeEventSource.last;
    first.emit("audit.created", { resource_type: "organization" }, "12");

    // A dropped connection: EventSource retries by itself.
    first.fail({ closed: false });
    vi.advanceTimersByTime(5_000);
    expect(FakeEventSource.opened).toHaveLength(1);

    // A refusal (e.g. 429): it gives up, so the hook opens again later.
    first.fail({ closed: true });
    expect(FakeEventSource.opened).toHaveLength(1);
    vi.advanceTimersByTime(1_000);
    expect(FakeEventSource.opened).toHaveLength(2);
    expect(FakeEventSource.last.url).toBe("/api/orgs/ada-lab/events?last_event_id=12");

    // Backs off, and stops when the last user leaves.
    FakeEventSource.last.fail({ closed: true });
    vi.advanceTimersByTime(1_000);
    expect(FakeEventSource.opened).toHaveLength(2);
    hook.unmount();
    vi.advanceTimersByTime(60_000);
    expect(FakeEventSource.opened).toHaveLength(2);
  });

  it("does nothing without an organization", () => {
    const { wrapper } = setup();
    renderHook(() => {
      useOrgEvents(undefined);
    }, { wrapper });
    expect(FakeEventSource.opened).toHaveLength(0);
  });
});

describe("staleKeys", () => {
  it("maps an organization change to the signed-in user's memberships", () => {
    expect(staleKeys("o", "audit.created", JSON.stringify({ resource_type: "organization" }))).toEqual([
      ["orgs", "o", "audit"],
      ["auth"],
    ]);
    expect(staleKeys("o", "audit.created", "not json")).toEqual([["orgs", "o", "audit"]]);
    expect(staleKeys("o", "something.else", "{}")).toEqual([]);
  });

  it("maps tunnel and host events to the tunnels pages", () => {
    expect(staleKeys("o", "tunnel.opened", "{}")).toEqual([["orgs", "o", "tunnels"]]);
    expect(staleKeys("o", "tunnel.closed", "{}")).toEqual([["orgs", "o", "tunnels"]]);
    expect(staleKeys("o", "tunnel.stats", "{}")).toEqual([["orgs", "o", "tunnels"]]);
    for (const type of ["host.online", "host.offline", "tunnel_host.enrolled"]) {
      expect(staleKeys("o", type, JSON.stringify({ host_id: "h1" }))).toEqual([
        ["orgs", "o", "tunnel-hosts"],
        ["orgs", "o", "tunnels"],
      ]);
    }
  });

  it("maps tunnel audit entries to their lists", () => {
    const audit = (resource_type: string) => staleKeys("o", "audit.created", JSON.stringify({ resource_type }));
    expect(audit("tunnel_name")).toEqual([["orgs", "o", "audit"], ["orgs", "o", "tunnel-names"]]);
    expect(audit("tunnel_host")).toEqual([["orgs", "o", "audit"], ["orgs", "o", "tunnel-hosts"]]);
    expect(audit("tunnel")).toEqual([["orgs", "o", "audit"], ["orgs", "o", "tunnels"]]);
    expect(audit("ssh_key")).toEqual([["orgs", "o", "audit"], ["account", "ssh-keys"]]);
  });
});
