import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";

import type { KeyOwner } from "@/api/generated/KeyOwner";
import { FormRootError, TextField } from "@/components/text-field";
import { Button } from "@/components/ui/button";
import { Form, FormControl, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { useReserveName } from "@/features/tunnels/api/tunnel-names";
import { newReservedNameSchema, type NewReservedNameValues } from "@/features/tunnels/schemas/tunnel";
import { ApiError } from "@/lib/api-client";
import { showFormError } from "@/lib/form-errors";

type ReserveNameFormProps = {
  org: string;
  /** The signed-in user, the default holder. */
  me: KeyOwner;
  /** The organization's members to choose from (the signed-in user is always offered). */
  members: readonly KeyOwner[];
};

/** "Reserve a name": a DNS label and the member it is kept for. */
export function ReserveNameForm({ org, me, members }: ReserveNameFormProps) {
  const reserve = useReserveName(org);
  const form = useForm({
    resolver: zodResolver(newReservedNameSchema),
    defaultValues: { name: "", user_id: me.id },
  });
  const choices = [me, ...members.filter((member) => member.id !== me.id)];

  function onSubmit(values: NewReservedNameValues) {
    reserve.mutate(values, {
      onSuccess: () => {
        form.reset({ name: "", user_id: values.user_id });
      },
      onError: (error) => {
        // 409: someone holds the name already; said beside the name.
        if (error instanceof ApiError && error.code === "name_taken" && !error.fields)
          form.setError("name", { type: "server", message: error.message }, { shouldFocus: true });
        else showFormError(form, error, ["name", "user_id"]);
      },
    });
  }

  return (
    <Form {...form}>
      <form
        noValidate
        aria-label="Reserve a name"
        onSubmit={(e) => void form.handleSubmit(onSubmit)(e)}
        className="grid gap-4"
      >
        <FormRootError />
        <div className="grid items-start gap-4 sm:grid-cols-[1fr_1fr_auto]">
          <TextField
            control={form.control}
            name="name"
            label="Name"
            placeholder="myapp"
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="none"
          />
          <FormField
            control={form.control}
            name="user_id"
            render={({ field }) => (
              <FormItem>
                <FormLabel>For</FormLabel>
                <Select value={field.value} onValueChange={field.onChange}>
                  <FormControl>
                    <SelectTrigger className="w-full" onBlur={field.onBlur}>
                      <SelectValue />
                    </SelectTrigger>
                  </FormControl>
                  <SelectContent>
                    {choices.map((member) => (
                      <SelectItem key={member.id} value={member.id}>
                        {member.id === me.id ? `${member.name} (you)` : member.name}
                      </SelectItem>
                    ))}
                  </SelectContent>
                </Select>
                <FormMessage />
              </FormItem>
            )}
          />
          <Button type="submit" className="sm:mt-[1.375rem]" disabled={reserve.isPending}>
            {reserve.isPending ? "Reserving…" : "Reserve"}
          </Button>
        </div>
      </form>
    </Form>
  );
}
