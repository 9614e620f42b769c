import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import type { SessionInfo } from "@/api/generated/SessionInfo";
import { SessionsList } from "@/features/sessions/components/sessions-list";
import { jsonResponse } from "@/test/fetch";
import { stubApi } from "@/test/fake-api";
import { renderWithProviders } from "@/test/render-app";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";

function session(id: string, user_agent: string | null, current = false): SessionInfo {
  return {
    id,
    created_at: "2026-11-22T10:00:00Z",
    last_seen_at: "2026-11-22T10:00:00Z",
    ip: "192.0.2.1",
    user_agent,
    current,
  };
}

describe("SessionsList", () => {
  it("names each browser and signs out all the others at once", async () => {
    let sessions = [session("s-1", FIREFOX, true), session("s-2", IPHONE), session("s-3", "curl/8.5.0")];
    const api = stubApi({
      "GET /api/auth/sessions": () => jsonResponse(200, sessions),
      "DELETE /api/auth/sessions": () => {
        sessions = sessions.filter((s) => s.current);
        return jsonResponse(200, { ended: 2 });
      },
    });
    const { user } = renderWithProviders(<SessionsList />);

    const list = await screen.findByRole("list", { name: "Sessions" });
    const names = within(list)
      .getAllByRole("listitem")
      .map((item) => item.querySelector("p")?.textContent);
    expect(names).toEqual(["Firefox on LinuxThis browser", "Safari on iOS", "curl"]);

    await user.click(screen.getByRole("button", { name: "Sign out all other sessions" }));
    const confirm = await screen.findByRole("alertdialog");
    expect(confirm).toHaveTextContent("The 2 other browsers signed in to your account will be signed out.");
    await user.click(within(confirm).getByRole("button", { name: "Sign out other sessions" }));

    await vi.waitFor(() => {
      expect(api.calls("DELETE /api/auth/sessions")).toHaveLength(1);
    });
    expect(await screen.findByText("2 other sessions ended.")).toBeInTheDocument();
    await vi.waitFor(() => {
      expect(within(list).getAllByRole("listitem")).toHaveLength(1);
    });
    // Nothing else to sign out: the button goes.
    expect(screen.queryByRole("button", { name: "Sign out all other sessions" })).not.toBeInTheDocument();
  });
});
