import { zodResolver } from "@hookform/resolvers/zod";
import { Plus } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";

import type { CreatedTunnelHost } from "@/api/generated/CreatedTunnelHost";
import { CopyField } from "@/components/copy-field";
import { FormRootError, TextField } from "@/components/text-field";
import { WithReason } from "@/components/with-reason";
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
import { useCreateTunnelHost } from "@/features/tunnels/api/tunnel-hosts";
import {
  enrollCommand,
  newTunnelHostSchema,
  type NewTunnelHostValues,
} from "@/features/tunnels/schemas/tunnel";
import { showFormError } from "@/lib/form-errors";

/** "Add tunnel host": a name; then the enrollment token and command, shown once. */
export function AddTunnelHostDialog({ org, disabledReason }: { org: string; disabledReason?: string }) {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<CreatedTunnelHost | null>(null);
  const create = useCreateTunnelHost(org);
  const form = useForm({
    resolver: zodResolver(newTunnelHostSchema),
    defaultValues: { name: "" },
  });

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (!next) {
      setCreated(null);
      form.reset();
    }
  }

  function onSubmit(values: NewTunnelHostValues) {
    create.mutate(values, {
      onSuccess: setCreated,
      onError: (error) => {
        showFormError(form, error, ["name"]);
      },
    });
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <WithReason reason={disabledReason}>
        <DialogTrigger asChild>
          <Button disabled={Boolean(disabledReason)}>
            <Plus aria-hidden="true" />
            Add tunnel host
          </Button>
        </DialogTrigger>
      </WithReason>
      <DialogContent>
        {created ? (
          <>
            <DialogHeader>
              <DialogTitle>Enroll {created.host.name}</DialogTitle>
              <DialogDescription>
                On the VPS, install <code className="font-mono">tunnel-host</code> and run this command. The
                token works once, within 24 hours.
              </DialogDescription>
            </DialogHeader>
            <CopyField
              label="Enrollment command"
              value={enrollCommand(window.location.origin, created.enrollment_token)}
              description="Copy it now: the token is shown only once."
            />
            <CopyField label="Enrollment token" value={created.enrollment_token} />
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
              <DialogTitle>Add tunnel host</DialogTitle>
              <DialogDescription>
                A VPS with a public address that serves this organization&apos;s tunnels over SSH.
              </DialogDescription>
            </DialogHeader>
            <Form {...form}>
              <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid gap-4">
                <FormRootError />
                <TextField control={form.control} name="name" label="Name" placeholder="eu-west-1" autoComplete="off" />
                <DialogFooter>
                  <Button type="submit" disabled={create.isPending}>
                    {create.isPending ? "Adding…" : "Add host"}
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
