import { zodResolver } from "@hookform/resolvers/zod";
import { Plus } from "lucide-react";
import { useId, useState } from "react";
import { useForm } from "react-hook-form";

import type { CreatedWebhook } from "@/api/generated/CreatedWebhook";
import { CopyField } from "@/components/copy-field";
import { FormRootError, TextField } from "@/components/text-field";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Form } from "@/components/ui/form";
import { Label } from "@/components/ui/label";
import { useCreateWebhook } from "@/features/webhooks/api/webhooks";
import { newWebhookFormSchema, type NewWebhookFormValues } from "@/features/webhooks/schemas/webhook";
import { showFormError } from "@/lib/form-errors";

/** "Add webhook": URL, events and format; then its signing secret, shown once. */
export function CreateWebhookDialog({ org, disabledReason }: { org: string; disabledReason?: string }) {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<CreatedWebhook | null>(null);
  const create = useCreateWebhook(org);
  const discordId = useId();
  const form = useForm({
    resolver: zodResolver(newWebhookFormSchema),
    defaultValues: { url: "", events: "server.state", description: "", discord: false },
  });

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (!next) {
      setCreated(null);
      form.reset();
    }
  }

  function onSubmit(values: NewWebhookFormValues) {
    create.mutate(values, {
      onSuccess: setCreated,
      onError: (error) => {
        showFormError(form, error, ["url", "events", "description"]);
      },
    });
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button disabled={disabledReason !== undefined} title={disabledReason}>
          <Plus aria-hidden="true" />
          Add webhook
        </Button>
      </DialogTrigger>
      <DialogContent>
        {created ? (
          <>
            <DialogHeader>
              <DialogTitle>Webhook added</DialogTitle>
              <DialogDescription>
                Deliveries carry <code className="font-mono">webhook-signature</code> headers (Standard Webhooks); verify
                them with this secret.
              </DialogDescription>
            </DialogHeader>
            <CopyField
              label="Signing secret"
              value={created.secret}
              description="Copy it now and keep it safe: it is shown only once."
            />
            <DialogFooter>
              <Button
                onClick={() => {
                  onOpenChange(false);
                }}
              >
                Done
              </Button>
            </DialogFooter>
          </>
        ) : (
          <>
            <DialogHeader>
              <DialogTitle>Add webhook</DialogTitle>
              <DialogDescription>Flamingo posts the events you choose to this address, signed and retried for a day.</DialogDescription>
            </DialogHeader>
            <Form {...form}>
              <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid gap-4">
                <FormRootError />
                <TextField
                  control={form.control}
                  name="url"
                  label="Endpoint URL"
                  placeholder="https://example.com/flamingo"
                  autoComplete="off"
                  spellCheck={false}
                />
                <TextField
                  control={form.control}
                  name="events"
                  label="Events"
                  autoComplete="off"
                  spellCheck={false}
                  description="Separated by commas: server.state, server.installed, server.backup, schedule.run, tunnel.*, host.*, node.*, audit.created, or * for all."
                />
                <TextField control={form.control} name="description" label="Description (optional)" autoComplete="off" />
                <div className="flex items-center gap-2">
                  <input id={discordId} type="checkbox" className="size-4" {...form.register("discord")} />
                  <Label htmlFor={discordId}>Format for a Discord channel webhook</Label>
                </div>
                <DialogFooter>
                  <Button type="submit" disabled={create.isPending}>
                    {create.isPending ? "Adding…" : "Add webhook"}
                  </Button>
                </DialogFooter>
              </form>
            </Form>
          </>
        )}
      </DialogContent>
    </Dialog>
  );
}
