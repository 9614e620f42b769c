import { zodResolver } from "@hookform/resolvers/zod";
import { CircleCheck } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { FormRootError } from "@/components/text-field";
import { Button } from "@/components/ui/button";
import { Form, FormControl, FormDescription, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Input } from "@/components/ui/input";
import { useActivate } from "@/features/activation/api/activate";
import { activationSchema, formatCode, type ActivationValues } from "@/features/activation/schemas/activation";
import { ApiError } from "@/lib/api-client";
import { errorMessage } from "@/lib/notify";

/** The code a tunnel host showed, approved by the signed-in user; then "go back to your terminal". */
export function ActivateForm({ initialCode = "" }: { initialCode?: string }) {
  const [done, setDone] = useState(false);
  const activate = useActivate();
  const form = useForm<ActivationValues, unknown, { code: string }>({
    resolver: zodResolver(activationSchema),
    defaultValues: { code: formatCode(initialCode) },
  });

  function onSubmit(values: { code: string }) {
    activate.mutate(values, {
      onSuccess: () => {
        setDone(true);
      },
      onError: (error) => {
        if (error instanceof ApiError && error.status === 404)
          form.setError(
            "code",
            { message: "This code is unknown or has expired. Check your terminal, or connect again for a new code." },
            { shouldFocus: true },
          );
        else form.setError("root.server", { message: errorMessage(error) });
      },
    });
  }

  if (done)
    return (
      <div role="status" className="flex flex-col items-center gap-3 py-4 text-center">
        <CircleCheck className="size-10 text-success" aria-hidden="true" />
        <p className="text-lg font-medium">Key added to your account — go back to your terminal</p>
        <p className="text-sm text-muted-foreground">
          Your SSH session continues by itself. Next time this key connects, no code is needed.
        </p>
      </div>
    );

  return (
    <Form {...form}>
      <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid gap-4">
        <FormRootError />
        <FormField
          control={form.control}
          name="code"
          render={({ field }) => (
            <FormItem>
              <FormLabel>Code</FormLabel>
              <FormControl>
                <Input
                  {...field}
                  onChange={(event) => {
                    field.onChange(formatCode(event.target.value));
                  }}
                  placeholder="XXXX-XXXX"
                  autoComplete="one-time-code"
                  autoCapitalize="characters"
                  autoCorrect="off"
                  spellCheck={false}
                  autoFocus
                  maxLength={12}
                  className="h-14 text-center font-mono text-2xl tracking-[0.3em] uppercase md:text-2xl"
                />
              </FormControl>
              <FormDescription>The 8 letters your terminal shows after you connected with ssh.</FormDescription>
              <FormMessage />
            </FormItem>
          )}
        />
        <Button type="submit" size="lg" disabled={activate.isPending}>
          {activate.isPending ? "Approving…" : "Approve this key"}
        </Button>
      </form>
    </Form>
  );
}
