import { Webhook as WebhookIcon } from "lucide-react";
import { useState } from "react";

import type { Webhook } from "@/api/generated/Webhook";
import type { WebhookDelivery } from "@/api/generated/WebhookDelivery";
import { ConfirmIconButton } from "@/components/confirm-dialog";
import { DataTable, type DataColumn } from "@/components/data-table";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import {
  useDeleteWebhook,
  useDeliveries,
  useRedeliver,
  useSetWebhookEnabled,
  useTestWebhook,
  useWebhooks,
} from "@/features/webhooks/api/webhooks";
import { formatDateTime, formatRelative } from "@/lib/format";

const WEBHOOK_COLUMNS: readonly DataColumn<Webhook>[] = [
  {
    id: "url",
    header: "Endpoint",
    className: "max-w-72 truncate font-mono text-xs",
    cell: (hook) => hook.url,
  },
  { id: "events", header: "Events", className: "text-muted-foreground", cell: (hook) => hook.events.join(", ") },
  { id: "format", header: "Format", hideBelow: "3xl", cell: (hook) => (hook.format === "discord" ? "Discord" : "Standard") },
  {
    id: "state",
    header: "State",
    cell: (hook) =>
      hook.enabled ? (
        <Badge variant="secondary">{hook.failing_since ? "Failing" : "On"}</Badge>
      ) : (
        <span title={hook.disabled_reason ?? undefined}>
          <Badge variant="outline">Off</Badge>
          {hook.disabled_reason ? <span className="block text-xs text-muted-foreground">{hook.disabled_reason}</span> : null}
        </span>
      ),
  },
];

const DELIVERY_COLUMNS: readonly DataColumn<WebhookDelivery>[] = [
  { id: "event", header: "Event", className: "font-mono text-xs", cell: (d) => d.event },
  {
    id: "status",
    header: "Status",
    cell: (d) => (
      <span>
        {d.status === "succeeded" ? "Delivered" : d.status === "failed" ? "Failed" : "Retrying"}
        {d.error ? <span className="block text-xs text-muted-foreground">{d.error}</span> : null}
      </span>
    ),
  },
  { id: "code", header: "Answer", cell: (d) => (d.response_status === null ? "—" : String(d.response_status)) },
  { id: "attempts", header: "Attempts", hideBelow: "3xl", cell: (d) => String(d.attempts) },
  { id: "time", header: "Took", hideBelow: "3xl", cell: (d) => (d.response_ms === null ? "—" : `${String(d.response_ms)} ms`) },
  {
    id: "created",
    header: "When",
    className: "text-muted-foreground",
    cell: (d) => (
      <time dateTime={d.created_at} title={formatDateTime(d.created_at)}>
        {formatRelative(d.created_at)}
      </time>
    ),
  },
];

/** An endpoint's recent deliveries, each redeliverable. */
function Deliveries({ org, webhook }: { org: string; webhook: Webhook }) {
  const deliveries = useDeliveries(org, webhook.id);
  const redeliver = useRedeliver(org);
  if (deliveries.isPending) return <ListSkeleton label="Loading deliveries…" />;
  if (deliveries.isError)
    return (
      <ErrorState title="Could not load the deliveries." error={deliveries.error} onRetry={() => void deliveries.refetch()} />
    );
  if (deliveries.data.items.length === 0)
    return <EmptyState icon={WebhookIcon} title="No deliveries in the last week">Send a test event to try it.</EmptyState>;
  return (
    <DataTable
      label={`Deliveries to ${webhook.url}`}
      columns={DELIVERY_COLUMNS}
      rows={deliveries.data.items}
      rowKey={(d) => d.id}
      actions={(d) => (
        <Button
          variant="outline"
          size="sm"
          disabled={redeliver.isPending}
          onClick={() => {
            redeliver.mutate(d);
          }}
        >
          Redeliver
        </Button>
      )}
    />
  );
}

/** The organization's webhook endpoints, with their recent deliveries. */
export function WebhooksList({ org, canChange }: { org: string; canChange: boolean }) {
  const webhooks = useWebhooks(org);
  const remove = useDeleteWebhook(org);
  const toggle = useSetWebhookEnabled(org);
  const test = useTestWebhook(org);
  const [open, setOpen] = useState<string | null>(null);

  if (webhooks.isPending) return <ListSkeleton label="Loading webhooks…" />;
  if (webhooks.isError)
    return <ErrorState title="Could not load the webhooks." error={webhooks.error} onRetry={() => void webhooks.refetch()} />;
  if (webhooks.data.items.length === 0)
    return (
      <EmptyState icon={WebhookIcon} title="No webhooks">
        Add one to send server, tunnel and audit events to another service or a Discord channel.
      </EmptyState>
    );
  const shown = webhooks.data.items.find((hook) => hook.id === open);

  return (
    <div className="grid gap-6">
      <DataTable
        label="Webhooks"
        columns={WEBHOOK_COLUMNS}
        rows={webhooks.data.items}
        rowKey={(hook) => hook.id}
        actions={(hook) => (
          <div className="flex flex-wrap gap-2">
            <Button
              variant="outline"
              size="sm"
              aria-pressed={open === hook.id}
              onClick={() => {
                setOpen(open === hook.id ? null : hook.id);
              }}
            >
              Deliveries
            </Button>
            <Button
              variant="outline"
              size="sm"
              disabled={!canChange || test.isPending}
              onClick={() => {
                test.mutate(hook);
              }}
            >
              Send test
            </Button>
            <Button
              variant="outline"
              size="sm"
              disabled={!canChange || toggle.isPending}
              onClick={() => {
                toggle.mutate({ webhook: hook, enabled: !hook.enabled });
              }}
            >
              {hook.enabled ? "Turn off" : "Turn on"}
            </Button>
            <ConfirmIconButton
              title="Delete this webhook?"
              description="Its deliveries go with it, and the endpoint gets nothing more."
              confirmLabel="Delete webhook"
              onConfirm={() => {
                remove.mutate(hook);
              }}
              label={`Delete the webhook to ${hook.url}`}
              disabled={!canChange || remove.isPending}
            />
          </div>
        )}
      />
      {shown ? <Deliveries org={org} webhook={shown} /> : null}
    </div>
  );
}
