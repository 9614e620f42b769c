import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";

import { FormRootError, TextField } from "@/components/text-field";
import { Button } from "@/components/ui/button";
import { Form } from "@/components/ui/form";
import { useUpdateProfile } from "@/features/account/api/update-profile";
import { profileSchema, type ProfileValues } from "@/features/account/schemas/account";
import { useMe } from "@/lib/auth";
import { applyServerErrors } from "@/lib/form-errors";

/** The signed-in user's name and email. */
export function ProfileForm() {
  const { user } = useMe();
  const update = useUpdateProfile();
  const form = useForm({
    resolver: zodResolver(profileSchema),
    values: { name: user.name, email: user.email },
  });

  function onSubmit(values: ProfileValues) {
    update.mutate(
      {
        name: values.name === user.name ? null : values.name,
        email: values.email === user.email ? null : values.email,
      },
      {
        onError: (error) => {
          applyServerErrors(form, error, ["name", "email"]);
        },
      },
    );
  }

  return (
    <Form {...form}>
      <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid max-w-md gap-4">
        <FormRootError />
        <TextField control={form.control} name="name" label="Name" autoComplete="name" />
        <TextField control={form.control} name="email" label="Email" type="email" autoComplete="email" description="You sign in with this address." />
        <div>
          <Button type="submit" disabled={update.isPending || !form.formState.isDirty}>
            {update.isPending ? "Saving…" : "Save profile"}
          </Button>
        </div>
      </form>
    </Form>
  );
}
