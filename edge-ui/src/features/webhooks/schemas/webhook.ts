import { z } from "zod";

import type { CreatedWebhook } from "@/api/generated/CreatedWebhook";
import type { DeliveryPage } from "@/api/generated/DeliveryPage";
import type { NewWebhook } from "@/api/generated/NewWebhook";
import type { Webhook } from "@/api/generated/Webhook";
import type { WebhookDelivery } from "@/api/generated/WebhookDelivery";
import type { WebhookList } from "@/api/generated/WebhookList";

/** An endpoint as listed (never its secret). */
export const webhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  events: z.array(z.string()),
  format: z.enum(["standard", "discord"]),
  enabled: z.boolean(),
  disabled_reason: z.string().nullable(),
  failing_since: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
}) satisfies z.ZodType<Webhook>;

export const webhookListSchema = z.object({
  items: z.array(webhookSchema),
  events: z.array(z.object({ name: z.string(), description: z.string() })),
}) satisfies z.ZodType<WebhookList>;

/** An endpoint just created: the only time its secret is shown. */
export const createdWebhookSchema = z.object({
  webhook: webhookSchema,
  secret: z.string(),
}) satisfies z.ZodType<CreatedWebhook>;

export const deliverySchema = z.object({
  id: z.string(),
  webhook_id: z.string(),
  event: z.string(),
  status: z.string(),
  attempts: z.number(),
  next_attempt_at: z.string().nullable(),
  last_attempt_at: z.string().nullable(),
  response_status: z.number().nullable(),
  response_ms: z.number().nullable(),
  error: z.string().nullable(),
  payload: z.json(),
  created_at: z.string(),
}) satisfies z.ZodType<WebhookDelivery>;

export const deliveryPageSchema = z.object({
  items: z.array(deliverySchema),
  total: z.number(),
}) satisfies z.ZodType<DeliveryPage>;

/** The create form: events typed as one comma- or space-separated line. */
export const newWebhookFormSchema = z.object({
  url: z
    .string()
    .trim()
    .regex(/^https?:\/\/\S+$/, "Enter the endpoint's URL, starting with https://."),
  events: z
    .string()
    .refine((value) => splitEvents(value).length > 0, "List at least one event, like server.state, tunnel.* or *."),
  description: z.string().max(200, "At most 200 characters."),
  discord: z.boolean(),
});

export type NewWebhookFormValues = z.infer<typeof newWebhookFormSchema>;

export function splitEvents(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean);
}

/** The form's values as `POST /api/orgs/{org}/webhooks`'s body. */
export function toNewWebhook(values: NewWebhookFormValues): NewWebhook {
  return {
    url: values.url.trim(),
    events: splitEvents(values.events),
    description: values.description.trim(),
    format: values.discord ? "discord" : "standard",
  };
}
