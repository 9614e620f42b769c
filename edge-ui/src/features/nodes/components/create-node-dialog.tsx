import { zodResolver } from "@hookform/resolvers/zod";
import { useNavigate } from "@tanstack/react-router";
import { Plus } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";

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
import { Form, FormControl, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { useCreateNode } from "@/features/nodes/api/nodes";
import { NativeSelect } from "@/features/nodes/components/native-select";
import { newNodeSchema, type NewNodeInput, type NewNodeValues } from "@/features/nodes/schemas/node";
import { showFormError } from "@/lib/form-errors";

const FIELDS = ["name", "description", "fqdn", "scheme", "daemon_port", "sftp_port", "upload_limit"] as const;

/** "Add node": where Wings listens; then the node's page, with its config.yml. */
export function CreateNodeDialog({ org, disabledReason }: { org: string; disabledReason?: string }) {
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const create = useCreateNode(org);
  const form = useForm<NewNodeInput, unknown, NewNodeValues>({
    resolver: zodResolver(newNodeSchema),
    defaultValues: {
      name: "",
      description: "",
      fqdn: "",
      scheme: "https",
      daemon_port: 8080,
      sftp_port: 2022,
      upload_limit: 100,
    },
  });

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (!next) form.reset();
  }

  function onSubmit(values: NewNodeValues) {
    create.mutate(values, {
      onSuccess: (node) => {
        setOpen(false);
        form.reset();
        void navigate({ to: "/o/$org/nodes/$node", params: { org, node: node.id } });
      },
      onError: (error) => {
        showFormError(form, error, FIELDS);
      },
    });
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <WithReason reason={disabledReason}>
        <DialogTrigger asChild>
          <Button disabled={Boolean(disabledReason)}>
            <Plus aria-hidden="true" />
            Add node
          </Button>
        </DialogTrigger>
      </WithReason>
      <DialogContent className="max-h-[90vh] overflow-y-auto">
        <DialogHeader>
          <DialogTitle>Add node</DialogTitle>
          <DialogDescription>
            A machine running Pelican Wings. Flamingo makes its token; the next page shows its config.yml.
          </DialogDescription>
        </DialogHeader>
        <Form {...form}>
          <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid gap-4">
            <FormRootError />
            <TextField control={form.control} name="name" label="Name" placeholder="eu-1" autoComplete="off" />
            <TextField control={form.control} name="description" label="Description (optional)" autoComplete="off" />
            <TextField
              control={form.control}
              name="fqdn"
              label="Host name or IP"
              placeholder="node1.example.com"
              autoComplete="off"
              description="Where the panel and players' browsers reach Wings."
            />
            <div className="grid gap-4 sm:grid-cols-3">
              <FormField
                control={form.control}
                name="scheme"
                render={({ field }) => (
                  <FormItem>
                    <FormLabel>Scheme</FormLabel>
                    <FormControl>
                      <NativeSelect {...field}>
                        <option value="https">https</option>
                        <option value="http">http</option>
                      </NativeSelect>
                    </FormControl>
                    <FormMessage />
                  </FormItem>
                )}
              />
              <TextField control={form.control} name="daemon_port" label="Wings port" inputMode="numeric" />
              <TextField control={form.control} name="sftp_port" label="SFTP port" inputMode="numeric" />
            </div>
            <TextField control={form.control} name="upload_limit" label="Upload limit (MiB)" inputMode="numeric" />
            <DialogFooter>
              <Button type="submit" disabled={create.isPending}>
                {create.isPending ? "Adding…" : "Add node"}
              </Button>
            </DialogFooter>
          </form>
        </Form>
      </DialogContent>
    </Dialog>
  );
}
