import { zodResolver } from "@hookform/resolvers/zod";
import { Plus } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";

import type { CreatedKey } from "@/api/generated/CreatedKey";
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
import { useCreateApiKey } from "@/features/api-keys/api/api-keys";
import { newKeyFormSchema, type NewKeyFormValues } from "@/features/api-keys/schemas/api-key";
import { showFormError } from "@/lib/form-errors";

/** Where the panel serves docs/api.md (see vite.config.ts). */
const API_REFERENCE_URL = "/docs/api.txt";

/** "Create API key": a name, optional IP limits and the password; then the token, shown once. */
export function CreateApiKeyDialog() {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const create = useCreateApiKey();
  const form = useForm({
    resolver: zodResolver(newKeyFormSchema),
    defaultValues: { name: "", allowed_ips: "", password: "" },
  });

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (!next) {
      setCreated(null);
      form.reset();
    }
  }

  function onSubmit(values: NewKeyFormValues) {
    create.mutate(values, {
      onSuccess: setCreated,
      onError: (error) => {
        showFormError(form, error, ["name", "allowed_ips", "password"]);
      },
    });
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button>
          <Plus aria-hidden="true" />
          Create API key
        </Button>
      </DialogTrigger>
      <DialogContent>
        {created ? (
          <>
            <DialogHeader>
              <DialogTitle>API key created</DialogTitle>
              <DialogDescription>
                Send it as <code className="font-mono">Authorization: Bearer …</code>. It acts as you. <ApiReferenceLink />
              </DialogDescription>
            </DialogHeader>
            <CopyField
              label="API key token"
              value={created.token}
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
              <DialogTitle>Create API key</DialogTitle>
              <DialogDescription>
                For scripts and tools that call the Flamingo API as you. <ApiReferenceLink />
              </DialogDescription>
            </DialogHeader>
            <Form {...form}>
              <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid gap-4">
                <FormRootError />
                <TextField control={form.control} name="name" label="Name" placeholder="Deploy script" autoComplete="off" />
                <TextField
                  control={form.control}
                  name="allowed_ips"
                  label="Allowed IPs (optional)"
                  placeholder="203.0.113.7, 10.0.0.0/8"
                  autoComplete="off"
                  spellCheck={false}
                  description="Addresses or CIDR ranges the key may be used from. Empty means anywhere."
                />
                <TextField
                  control={form.control}
                  name="password"
                  label="Your password"
                  type="password"
                  autoComplete="current-password"
                  description="A key keeps working after you sign out, so making one needs your password."
                />
                <DialogFooter>
                  <Button type="submit" disabled={create.isPending}>
                    {create.isPending ? "Creating…" : "Create key"}
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

/** The API reference (docs/api.md, shipped with the panel), in a new tab. */
function ApiReferenceLink() {
  return (
    <a href={API_REFERENCE_URL} target="_blank" rel="noreferrer" className="font-medium underline underline-offset-4">
      API reference
      <span className="sr-only"> (opens in a new tab)</span>
    </a>
  );
}
