import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";

import type { Organization } from "@/api/generated/Organization";
import { FormRootError, TextField } from "@/components/text-field";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Form } from "@/components/ui/form";
import { useCreateOrganization } from "@/features/orgs/api/create-organization";
import {
  newOrganizationSchema,
  type NewOrganizationValues,
} from "@/features/orgs/schemas/organization";
import { showFormError } from "@/lib/form-errors";

type CreateOrganizationDialogProps = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onCreated: (org: Organization) => void;
};

/** A dialog asking for the new organization's name. */
export function CreateOrganizationDialog({ open, onOpenChange, onCreated }: CreateOrganizationDialogProps) {
  const create = useCreateOrganization();
  const form = useForm({
    resolver: zodResolver(newOrganizationSchema),
    defaultValues: { name: "" },
  });

  function onSubmit(values: NewOrganizationValues) {
    create.mutate(values, {
      onSuccess: (org) => {
        form.reset();
        onOpenChange(false);
        onCreated(org);
      },
      onError: (error) => {
        showFormError(form, error, ["name"]);
      },
    });
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) form.reset();
        onOpenChange(next);
      }}
    >
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Create organization</DialogTitle>
          <DialogDescription>You will be its owner. Invite others once it exists.</DialogDescription>
        </DialogHeader>
        <Form {...form}>
          <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid gap-4">
            <FormRootError />
            <TextField control={form.control} name="name" label="Organization name" autoComplete="organization" />
            <DialogFooter>
              <Button type="submit" disabled={create.isPending}>
                {create.isPending ? "Creating…" : "Create organization"}
              </Button>
            </DialogFooter>
          </form>
        </Form>
      </DialogContent>
    </Dialog>
  );
}
