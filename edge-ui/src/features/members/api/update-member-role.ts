import { useMutation, useQueryClient } from "@tanstack/react-query";

import type { Member } from "@/api/generated/Member";
import { memberSchema, type RoleChangeValues } from "@/features/members/schemas/member";
import { api } from "@/lib/api-client";
import { roleLabel } from "@/lib/authorization";
import { notifyError, notifySuccess } from "@/lib/notify";
import { orgScope } from "@/lib/query-keys";

/** `PATCH /api/orgs/{org}/members/{user}`: gives a member another role. */
export function useUpdateMemberRole(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ member, role }: { member: Member } & RoleChangeValues) =>
      api.patch(
        `/api/orgs/${encodeURIComponent(org)}/members/${encodeURIComponent(member.user_id)}`,
        { role },
        memberSchema,
      ),
    onSuccess: (updated) => {
      notifySuccess(`${updated.name} is now ${roleLabel(updated.role).toLowerCase()}`);
    },
    onError: (error, { member }) => {
      notifyError(`Could not change ${member.name}'s role`, error);
    },
    // Members, counts and the audit log all changed.
    onSettled: () => queryClient.invalidateQueries({ queryKey: orgScope(org) }),
  });
}
