import { useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import type { Member } from "@/api/generated/Member";
import { api } from "@/lib/api-client";
import { notifyError, notifySuccess } from "@/lib/notify";
import { orgScope } from "@/lib/query-keys";

/** `DELETE /api/orgs/{org}/members/{user}`. */
export function useRemoveMember(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (member: Member) =>
      api.delete(
        `/api/orgs/${encodeURIComponent(org)}/members/${encodeURIComponent(member.user_id)}`,
        z.undefined(),
      ),
    onSuccess: (_, member) => {
      notifySuccess(`Removed ${member.name}`);
    },
    onError: (error, member) => {
      notifyError(`Could not remove ${member.name}`, error);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: orgScope(org) }),
  });
}
