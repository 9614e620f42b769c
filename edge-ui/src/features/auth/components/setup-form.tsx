import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";

import type { Me } from "@/api/generated/Me";
import { FormRootError, TextField } from "@/components/text-field";
import { Button } from "@/components/ui/button";
import { Form } from "@/components/ui/form";
import { useSetup } from "@/features/auth/api/setup";
import { setupSchema, type SetupValues } from "@/features/auth/schemas/auth";
import { showFormError } from "@/lib/form-errors";

const FIELDS = ["name", "email", "password", "organization"] as const;

/** First run: the owner's account and the first organization. */
export function SetupForm({ onDone }: { onDone: (me: Me) => void }) {
  const setup = useSetup();
  const form = useForm({
    resolver: zodResolver(setupSchema),
    defaultValues: { name: "", email: "", password: "", organization: "" },
  });

  function onSubmit(values: SetupValues) {
    setup.mutate(values, {
      onSuccess: (me) => {
        onDone(me);
      },
      onError: (error) => {
        showFormError(form, error, FIELDS);
      },
    });
  }

  return (
    <Form {...form}>
      <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid gap-4">
        <FormRootError />
        <TextField control={form.control} name="name" label="Your name" autoComplete="name" autoFocus />
        <TextField control={form.control} name="email" label="Email" type="email" autoComplete="email" />
        <TextField
          control={form.control}
          name="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          description="At least 12 characters. A few random words work well."
        />
        <TextField
          control={form.control}
          name="organization"
          label="Organization name"
          autoComplete="organization"
          description="Your team or company. You can add more organizations later."
        />
        <Button type="submit" disabled={setup.isPending}>
          {setup.isPending ? "Creating your account…" : "Create account"}
        </Button>
      </form>
    </Form>
  );
}
