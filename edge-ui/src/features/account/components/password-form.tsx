import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";

import { FormRootError, TextField } from "@/components/text-field";
import { Button } from "@/components/ui/button";
import { Form, FormControl, FormDescription, FormField, FormItem, FormLabel } from "@/components/ui/form";
import { useChangePassword } from "@/features/account/api/change-password";
import { passwordChangeSchema, type PasswordChangeValues } from "@/features/account/schemas/account";
import { useMe } from "@/lib/auth";
import { showFormError } from "@/lib/form-errors";

/** Changing the password; other sessions end, and API keys too unless unticked. */
export function PasswordForm() {
  const { user } = useMe();
  const change = useChangePassword();
  const form = useForm({
    resolver: zodResolver(passwordChangeSchema),
    defaultValues: { current_password: "", new_password: "", revoke_api_keys: true },
  });

  function onSubmit(values: PasswordChangeValues) {
    change.mutate(values, {
      onSuccess: () => {
        form.reset();
      },
      onError: (error) => {
        showFormError(form, error, ["current_password", "new_password", "revoke_api_keys"]);
      },
    });
  }

  return (
    <Form {...form}>
      <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid max-w-md gap-4">
        {/* Lets password managers tie the new password to the account. */}
        <input type="text" name="username" autoComplete="username" value={user.email} hidden readOnly />
        <FormRootError />
        <TextField
          control={form.control}
          name="current_password"
          label="Current password"
          type="password"
          autoComplete="current-password"
        />
        <TextField
          control={form.control}
          name="new_password"
          label="New password"
          type="password"
          autoComplete="new-password"
          description="At least 12 characters. Your other sessions will be signed out."
        />
        <FormField
          control={form.control}
          name="revoke_api_keys"
          render={({ field }) => (
            <FormItem className="flex flex-row items-start gap-3">
              <FormControl>
                <input
                  type="checkbox"
                  ref={field.ref}
                  name={field.name}
                  checked={field.value}
                  onChange={(e) => {
                    field.onChange(e.target.checked);
                  }}
                  onBlur={field.onBlur}
                  className="mt-0.5 size-4 shrink-0 accent-primary"
                />
              </FormControl>
              <div className="grid gap-1">
                <FormLabel className="font-normal">Also revoke all my API keys</FormLabel>
                <FormDescription>
                  A key keeps working after a password change. Revoke them if someone else may have used your
                  account; scripts need new keys afterwards.
                </FormDescription>
              </div>
            </FormItem>
          )}
        />
        <div>
          <Button type="submit" disabled={change.isPending}>
            {change.isPending ? "Changing…" : "Change password"}
          </Button>
        </div>
      </form>
    </Form>
  );
}
