import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { z } from "zod";

import type { Webhook } from "@/api/generated/Webhook";
import type { WebhookDelivery } from "@/api/generated/WebhookDelivery";
import {
  createdWebhookSchema,
  deliveryPageSchema,
  deliverySchema,
  toNewWebhook,
  webhookListSchema,
  webhookSchema,
  type NewWebhookFormValues,
} from "@/features/webhooks/schemas/webhook";
import { api } from "@/lib/api-client";
import { notifyError, notifySuccess } from "@/lib/notify";
import { orgScope } from "@/lib/query-keys";

export const webhookKeys = {
  all: (org: string) => [...orgScope(org), "webhooks"] as const,
  deliveries: (org: string, webhook: string) => [...orgScope(org), "webhooks", webhook, "deliveries"] as const,
};

function path(org: string, tail = ""): string {
  return `/api/orgs/${encodeURIComponent(org)}/webhooks${tail}`;
}

export function getWebhooksQueryOptions(org: string) {
  return queryOptions({
    queryKey: webhookKeys.all(org),
    queryFn: ({ signal }) => api.get(path(org), webhookListSchema, signal),
  });
}

export function useWebhooks(org: string) {
  return useQuery(getWebhooksQueryOptions(org));
}

export function getDeliveriesQueryOptions(org: string, webhook: string) {
  return queryOptions({
    queryKey: webhookKeys.deliveries(org, webhook),
    queryFn: ({ signal }) =>
      api.get(path(org, `/${encodeURIComponent(webhook)}/deliveries?limit=20`), deliveryPageSchema, signal),
  });
}

export function useDeliveries(org: string, webhook: string) {
  return useQuery(getDeliveriesQueryOptions(org, webhook));
}

/** `POST …/webhooks`; the answer holds the secret, once. */
export function useCreateWebhook(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (values: NewWebhookFormValues) => api.post(path(org), toNewWebhook(values), createdWebhookSchema),
    onSuccess: () => {
      notifySuccess("Webhook added");
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.all(org) }),
  });
}

/** `PATCH …/webhooks/{webhook}` `{enabled}`. */
export function useSetWebhookEnabled(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ webhook, enabled }: { webhook: Webhook; enabled: boolean }) =>
      api.patch(path(org, `/${encodeURIComponent(webhook.id)}`), { enabled }, webhookSchema),
    onSuccess: (webhook) => {
      notifySuccess(webhook.enabled ? "Webhook turned on" : "Webhook turned off");
    },
    onError: (error) => {
      notifyError("Could not change the webhook", error);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.all(org) }),
  });
}

/** `DELETE …/webhooks/{webhook}`. */
export function useDeleteWebhook(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (webhook: Webhook) => api.delete(path(org, `/${encodeURIComponent(webhook.id)}`), z.undefined()),
    onSuccess: () => {
      notifySuccess("Webhook deleted");
    },
    onError: (error) => {
      notifyError("Could not delete the webhook", error);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhookKeys.all(org) }),
  });
}

function deliveryOutcome(delivery: WebhookDelivery): void {
  if (delivery.status === "succeeded") notifySuccess("Delivered", `The endpoint answered ${delivery.response_status === null ? "2xx" : String(delivery.response_status)}.`);
  else notifyError("Not delivered yet", new Error(delivery.error ?? "The endpoint did not accept it; it will be retried."));
}

/** `POST …/webhooks/{webhook}/test`: a `webhook.test` delivery, sent now. */
export function useTestWebhook(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (webhook: Webhook) =>
      api.post(path(org, `/${encodeURIComponent(webhook.id)}/test`), undefined, deliverySchema),
    onSuccess: deliveryOutcome,
    onError: (error) => {
      notifyError("Could not send the test event", error);
    },
    onSettled: (_, __, webhook) =>
      queryClient.invalidateQueries({ queryKey: webhookKeys.deliveries(org, webhook.id) }),
  });
}

/** `POST …/deliveries/{delivery}/redeliver`: the same body again, now. */
export function useRedeliver(org: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (delivery: WebhookDelivery) =>
      api.post(
        path(
          org,
          `/${encodeURIComponent(delivery.webhook_id)}/deliveries/${encodeURIComponent(delivery.id)}/redeliver`,
        ),
        undefined,
        deliverySchema,
      ),
    onSuccess: deliveryOutcome,
    onError: (error) => {
      notifyError("Could not redeliver", error);
    },
    onSettled: (_, __, delivery) =>
      queryClient.invalidateQueries({ queryKey: webhookKeys.deliveries(org, delivery.webhook_id) }),
  });
}
