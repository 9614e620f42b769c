import { zodResolver } from "@hookform/resolvers/zod";
import { Filter, X } from "lucide-react";
import { useEffect } from "react";
import { useForm } from "react-hook-form";

import { TextField } from "@/components/text-field";
import { Button } from "@/components/ui/button";
import { Form, FormControl, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import {
  auditFilterFormSchema,
  type AuditFilterValues,
  type AuditSearch,
} from "@/features/audit/schemas/audit";

/** Radix Select has no empty value; this one stands for "anyone". */
const ANYONE = "anyone";

type AuditFiltersProps = {
  /** The people who may appear as actors (the organization's members); the email tells namesakes apart. */
  actors: readonly { id: string; name: string; email: string }[];
  value: AuditSearch;
  onApply: (filters: Omit<AuditSearch, "page">) => void;
};

function toFormValues(value: AuditSearch): AuditFilterValues {
  return {
    actor: value.actor ?? "",
    action: value.action ?? "",
    since: value.since ?? "",
    until: value.until ?? "",
  };
}

/** Who, what and when to show in the audit log. */
export function AuditFilters({ actors, value, onApply }: AuditFiltersProps) {
  const form = useForm({
    resolver: zodResolver(auditFilterFormSchema),
    defaultValues: toFormValues(value),
  });
  const { reset } = form;

  // Follow the address when it changes (back/forward, "Clear").
  const { actor, action, since, until } = value;
  useEffect(() => {
    reset(toFormValues({ actor, action, since, until }));
  }, [reset, actor, action, since, until]);

  function onSubmit(values: AuditFilterValues) {
    onApply({
      actor: values.actor || undefined,
      action: values.action || undefined,
      since: values.since || undefined,
      until: values.until || undefined,
    });
  }

  const active = Boolean(actor ?? action ?? since ?? until);

  return (
    <Form {...form}>
      <form
        noValidate
        aria-label="Audit log filters"
        onSubmit={(e) => void form.handleSubmit(onSubmit)(e)}
        className="mb-6 grid gap-4 rounded-lg border p-4 sm:grid-cols-2 lg:grid-cols-[repeat(4,minmax(0,1fr))_auto]"
      >
        <FormField
          control={form.control}
          name="actor"
          render={({ field }) => (
            <FormItem>
              <FormLabel>Who</FormLabel>
              <Select
                value={field.value || ANYONE}
                onValueChange={(next) => {
                  field.onChange(next === ANYONE ? "" : next);
                }}
              >
                <FormControl>
                  <SelectTrigger className="w-full" onBlur={field.onBlur}>
                    <SelectValue />
                  </SelectTrigger>
                </FormControl>
                <SelectContent>
                  <SelectItem value={ANYONE}>Anyone</SelectItem>
                  {actors.map((a) => (
                    <SelectItem key={a.id} value={a.id}>
                      {a.name} ({a.email})
                    </SelectItem>
                  ))}
                </SelectContent>
              </Select>
              <FormMessage />
            </FormItem>
          )}
        />
        <TextField
          control={form.control}
          name="action"
          label="Action"
          placeholder="e.g. kicked, API key"
          description="Words like invite or revoked, or an action like member.join."
          spellCheck={false}
          autoComplete="off"
        />
        <TextField control={form.control} name="since" label="From" type="date" />
        <TextField control={form.control} name="until" label="To" type="date" />
        <div className="flex items-end gap-2 sm:col-span-2 lg:col-span-1">
          <Button type="submit">
            <Filter aria-hidden="true" />
            Apply
          </Button>
          {active ? (
            <Button
              type="button"
              variant="ghost"
              onClick={() => {
                onApply({});
              }}
            >
              <X aria-hidden="true" />
              Clear
            </Button>
          ) : null}
        </div>
      </form>
    </Form>
  );
}
