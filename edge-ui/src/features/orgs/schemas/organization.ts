import { z } from "zod";

import type { NewOrg } from "@/api/generated/NewOrg";
import type { Organization } from "@/api/generated/Organization";
import { roleSchema } from "@/lib/auth";
import { organizationNameRule } from "@/lib/validation";

/** An organization as the caller sees it (`POST /api/orgs`, `GET /api/orgs/{org}`). */
export const organizationSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  role: roleSchema,
}) satisfies z.ZodType<Organization>;

/** The create form's values are `POST /api/orgs`'s body. */
export const newOrganizationSchema = z.object({ name: organizationNameRule }) satisfies z.ZodType<NewOrg>;

export type NewOrganizationValues = z.infer<typeof newOrganizationSchema>;
