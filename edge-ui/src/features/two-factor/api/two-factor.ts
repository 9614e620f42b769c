import { useMutation, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import {
  enrollmentSchema,
  recoveryCodesSchema,
  type DisableValues,
  type EnableValues,
  type RegenerateValues,
} from "@/features/two-factor/schemas/two-factor";
import { api } from "@/lib/api-client";
import { authKeys } from "@/lib/auth";
import { notifyError, notifySuccess } from "@/lib/notify";

/**
 * `POST /api/auth/totp/setup`: a new secret to scan (2FA stays off until
 * enabled). The steps that follow are shown in the page, not in a toast.
 */
export function useStartTwoFactorSetup() {
  return useMutation({
    // No body: the endpoint takes none.
    mutationFn: () => api.post("/api/auth/totp/setup", undefined, enrollmentSchema),
    onError: (error) => {
      notifyError("Could not start two-factor setup", error);
    },
  });
}

/** `POST /api/auth/totp/enable`: turns 2FA on and answers the recovery codes, once. */
export function useEnableTwoFactor() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (values: EnableValues) =>
      api.post("/api/auth/totp/enable", { code: values.code.replace(/\s/g, "") }, recoveryCodesSchema),
    onSuccess: async () => {
      // Saving the recovery codes is the page's next step (RecoveryCodes).
      notifySuccess("Two-factor sign-in is on");
      await queryClient.invalidateQueries({ queryKey: authKeys.me });
    },
  });
}

/** `POST /api/auth/totp/disable`. */
export function useDisableTwoFactor() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (values: DisableValues) => api.post("/api/auth/totp/disable", values, z.undefined()),
    onSuccess: async () => {
      notifySuccess("Two-factor sign-in is off");
      await queryClient.invalidateQueries({ queryKey: authKeys.me });
    },
  });
}

/** `POST /api/auth/totp/recovery-codes`: replaces the recovery codes. */
export function useRegenerateRecoveryCodes() {
  return useMutation({
    mutationFn: (values: RegenerateValues) => api.post("/api/auth/totp/recovery-codes", values, recoveryCodesSchema),
    onSuccess: () => {
      notifySuccess("New recovery codes made", "The old ones no longer work.");
    },
  });
}
