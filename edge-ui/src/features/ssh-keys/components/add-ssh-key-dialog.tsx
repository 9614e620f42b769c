import { zodResolver } from "@hookform/resolvers/zod";
import { Plus } from "lucide-react";
import { useEffect, useState } from "react";
import { useForm, useWatch } from "react-hook-form";

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
import { Form, FormControl, FormDescription, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Textarea } from "@/components/ui/textarea";
import { useAddSshKey } from "@/features/ssh-keys/api/ssh-keys";
import { keyComment, newSshKeySchema, type NewSshKeyValues } from "@/features/ssh-keys/schemas/ssh-key";
import { ApiError } from "@/lib/api-client";
import { showFormError } from "@/lib/form-errors";

/** "Add SSH key": a name and one public key line. */
export function AddSshKeyDialog() {
  const [open, setOpen] = useState(false);
  const add = useAddSshKey();
  const form = useForm({
    resolver: zodResolver(newSshKeySchema),
    defaultValues: { name: "", public_key: "" },
  });
  const publicKey = useWatch({ control: form.control, name: "public_key" });

  // The name follows the pasted key's comment (often user@host) until the user types their own.
  useEffect(() => {
    if (form.getFieldState("name").isDirty) return;
    const comment = keyComment(publicKey) ?? "";
    if (form.getValues("name") !== comment) form.setValue("name", comment, { shouldValidate: form.formState.isSubmitted });
  }, [form, publicKey]);

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (!next) form.reset();
  }

  function onSubmit(values: NewSshKeyValues) {
    add.mutate(values, {
      onSuccess: () => {
        onOpenChange(false);
      },
      onError: (error) => {
        // 409 key_in_use: the key is someone's already (maybe this user's); said beside the key.
        if (error instanceof ApiError && error.code === "key_in_use" && !error.fields)
          form.setError("public_key", { type: "server", message: error.message }, { shouldFocus: true });
        else showFormError(form, error, ["name", "public_key"]);
      },
    });
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button>
          <Plus aria-hidden="true" />
          Add SSH key
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Add SSH key</DialogTitle>
          <DialogDescription>
            Paste a public key, e.g. the contents of <code className="font-mono">~/.ssh/id_ed25519.pub</code>.
          </DialogDescription>
        </DialogHeader>
        <Form {...form}>
          <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid gap-4">
            <FormRootError />
            <FormField
              control={form.control}
              name="public_key"
              render={({ field }) => (
                <FormItem>
                  <FormLabel>Public key</FormLabel>
                  <FormControl>
                    <Textarea
                      {...field}
                      rows={4}
                      spellCheck={false}
                      autoComplete="off"
                      placeholder="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA… you@laptop"
                      className="font-mono text-xs break-all"
                    />
                  </FormControl>
                  <FormDescription>Never paste the private key (the file without .pub).</FormDescription>
                  <FormMessage />
                </FormItem>
              )}
            />
            <TextField
              control={form.control}
              name="name"
              label="Name"
              placeholder="Laptop"
              autoComplete="off"
            />
            <DialogFooter>
              <Button type="submit" disabled={add.isPending}>
                {add.isPending ? "Adding…" : "Add key"}
              </Button>
            </DialogFooter>
          </form>
        </Form>
      </DialogContent>
    </Dialog>
  );
}
