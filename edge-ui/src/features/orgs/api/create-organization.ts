import { useMutation, useQueryClient } from "@tanstack/react-query";

import {
  organizationSchema,
  type NewOrganizationValues,
} from "@/features/orgs/schemas/organization";
import { api } from "@/lib/api-client";
import { authKeys } from "@/lib/auth";
import { notifySuccess } from "@/lib/notify";

/** `POST /api/orgs`; the new organization joins the signed-in user's memberships. */
export function useCreateOrganization() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (values: NewOrganizationValues) => api.post("/api/orgs", values, organizationSchema),
    onSuccess: async (org) => {
      await queryClient.invalidateQueries({ queryKey: authKeys.me });
      notifySuccess(`Created ${org.name}`);
    },
  });
}
