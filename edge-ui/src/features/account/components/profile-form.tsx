import { zodResolver } from "@hookform/resolvers/zod";
import { useForm, useWatch } from "react-hook-form";

import { FormRootError, TextField } from "@/components/text-field";
import { Button } from "@/components/ui/button";
import { Form } from "@/components/ui/form";
import { useUpdateProfile } from "@/features/account/api/update-profile";
import { profileSchema, toProfileUpdate, type ProfileValues } from "@/features/account/schemas/account";
import { useMe } from "@/lib/auth";
import { showFormError } from "@/lib/form-errors";

/** The signed-in user's name and email; a new email asks for the current password. */
export function ProfileForm() {
  const { user } = useMe();
  const update = useUpdateProfile();
  const form = useForm({
    resolver: zodResolver(profileSchema(user.email)),
    values: { name: user.name, email: user.email, current_password: "" },
  });
  const email = useWatch({ control: form.control, name: "email" });
  const emailChanged = email.trim() !== user.email;

  function onSubmit(values: ProfileValues) {
    update.mutate(toProfileUpdate(values, user), {
      onError: (error) => {
        showFormError(form, error, ["name", "email", "current_password"]);
      },
    });
  }

  return (
    <Form {...form}>
      <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid max-w-md gap-4">
        <FormRootError />
        <TextField control={form.control} name="name" label="Name" autoComplete="name" />
        <TextField control={form.control} name="email" label="Email" type="email" autoComplete="email" description="You sign in with this address." />
        {emailChanged ? (
          <TextField
            control={form.control}
            name="current_password"
            label="Current password"
            type="password"
            autoComplete="current-password"
            description="Changing the address you sign in with needs your password."
          />
        ) : null}
        <div>
          <Button type="submit" disabled={update.isPending || !form.formState.isDirty}>
            {update.isPending ? "Saving…" : "Save profile"}
          </Button>
        </div>
      </form>
    </Form>
  );
}
