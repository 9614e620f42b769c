import { describe, expect, it } from "vitest";

import { actionFilter, auditFilterFormSchema } from "@/features/audit/schemas/audit";

const empty = { actor: "", action: "", since: "", until: "" };

describe("the audit action filter", () => {
  it("sends codes as typed and words as the actions they name", () => {
    expect(actionFilter("member.*")).toBe("member.*");
    expect(actionFilter("Tunnel.Kick")).toBe("tunnel.kick");
    expect(actionFilter("revoked")?.split(",").sort()).toEqual(["api_key.revoke", "invitation.revoke"]);
    expect(actionFilter("  ")).toBeUndefined();
    expect(actionFilter("zebra")).toBeUndefined();
  });

  it("accepts plain words and refuses words that name no action", () => {
    expect(auditFilterFormSchema.safeParse({ ...empty, action: "kicked tunnel" }).success).toBe(true);
    const refused = auditFilterFormSchema.safeParse({ ...empty, action: "zebra" });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toMatch(/No action matches/);
  });
});
