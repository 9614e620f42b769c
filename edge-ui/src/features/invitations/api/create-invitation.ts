import { useMutation, useQueryClient } from "@tanstack/react-query";

import {
  createdInvitationSchema,
  toNewInvitationBody,
  type NewInvitationValues,
} from "@/features/invitations/schemas/invitation";
import { api } from "@/lib/api-client";
import { notifySuccess } from "@/lib/notify";
import { orgScope } from "@/lib/query-keys";

/** `POST /api/orgs/{org}/invitations`; answers the link to share, once. */
export function useCreateInvitation(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (values: NewInvitationValues) =>
      api.post(
        `/api/orgs/${encodeURIComponent(org)}/invitations`,
        toNewInvitationBody(values),
        createdInvitationSchema,
      ),
    onSuccess: async () => {
      // The dialog says to copy the link now; a toast repeats no instructions.
      notifySuccess("Invitation created");
      await queryClient.invalidateQueries({ queryKey: orgScope(org) });
    },
  });
}
