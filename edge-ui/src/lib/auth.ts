import {
  queryOptions,
  useSuspenseQuery,
  type QueryClient,
} from "@tanstack/react-query";
import { z } from "zod";

import type { Me } from "@/api/generated/Me";
import type { Membership } from "@/api/generated/Membership";
import type { Role } from "@/api/generated/Role";
import type { Status } from "@/api/generated/Status";
import type { User } from "@/api/generated/User";
import { ApiError, api } from "@/lib/api-client";
import { queryScopes } from "@/lib/query-keys";

/** The four roles, strongest first. */
export const ROLES = ["owner", "admin", "operator", "viewer"] as const satisfies readonly Role[];

export const roleSchema = z.enum(ROLES) satisfies z.ZodType<Role>;

export const userSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  totp_enabled: z.boolean(),
  created_at: z.string(),
}) satisfies z.ZodType<User>;

export const membershipSchema = z.object({
  org_id: z.string(),
  slug: z.string(),
  name: z.string(),
  role: roleSchema,
}) satisfies z.ZodType<Membership>;

/** `GET /api/auth/me`, and what setup, sign-in and joining answer. */
export const meSchema = z.object({
  user: userSchema,
  memberships: z.array(membershipSchema),
}) satisfies z.ZodType<Me>;

/** `GET /api/setup`. */
export const setupStatusSchema = z.object({ needed: z.boolean() }) satisfies z.ZodType<Status>;

export const authKeys = {
  me: [...queryScopes.auth, "me"] as const,
  setupStatus: [...queryScopes.auth, "setup"] as const,
};

export function getMeQueryOptions() {
  return queryOptions({
    queryKey: authKeys.me,
    queryFn: ({ signal }) => api.get("/api/auth/me", meSchema, signal),
    staleTime: 60_000,
  });
}

export function getSetupStatusQueryOptions() {
  return queryOptions({
    queryKey: authKeys.setupStatus,
    queryFn: ({ signal }) => api.get("/api/setup", setupStatusSchema, signal),
    staleTime: Infinity,
  });
}

/** Whether `error` means "nobody is signed in". */
export function isUnauthenticated(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}

/** The signed-in user, or null when nobody is; other failures are thrown. */
export async function loadMe(queryClient: QueryClient): Promise<Me | null> {
  try {
    return await queryClient.query(getMeQueryOptions());
  } catch (error) {
    if (isUnauthenticated(error)) return null;
    throw error;
  }
}

/**
 * Whether the last answer to `GET /api/auth/me` was "nobody is signed in" and
 * nobody has signed in since (signing in, setting up or joining sets the
 * user). Lets sign-in trust the answer the redirect to it was based on
 * instead of asking the same question twice.
 */
export function knownSignedOut(queryClient: QueryClient): boolean {
  const state = queryClient.getQueryState(authKeys.me);
  return state?.status === "error" && isUnauthenticated(state.error);
}

/** Where a signed-out visitor belongs: first-run setup until it is done, else sign-in. */
export async function signedOutDestination(queryClient: QueryClient): Promise<"/setup" | "/login"> {
  const status = await queryClient.query(getSetupStatusQueryOptions());
  return status.needed ? "/setup" : "/login";
}

/** The signed-in user; only inside routes that loaded it first (everything under `/o/$org`). */
export function useMe(): Me {
  return useSuspenseQuery(getMeQueryOptions()).data;
}

/** The signed-in user's membership in `org`, if any. */
export function useMembership(org: string): Membership | undefined {
  return useMe().memberships.find((m) => m.slug === org);
}

/** A safe in-app path to return to after signing in, or undefined. */
export function safeRedirect(value: unknown): string | undefined {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//")
    ? value
    : undefined;
}
