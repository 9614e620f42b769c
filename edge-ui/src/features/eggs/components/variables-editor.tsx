import { zodResolver } from "@hookform/resolvers/zod";
import { Plus, Trash2 } from "lucide-react";
import { useFieldArray, useForm } from "react-hook-form";

import { FormRootError, TextField } from "@/components/text-field";
import { Button } from "@/components/ui/button";
import { Form, FormControl, FormDescription, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form";
import { Textarea } from "@/components/ui/textarea";
import { useSaveVariables } from "@/features/eggs/api/eggs";
import {
  sortedVariables,
  splitRules,
  variablesFormSchema,
  type EggRow,
  type VariablesFormValues,
} from "@/features/eggs/schemas/egg";
import { showFormError } from "@/lib/form-errors";

function toForm(egg: EggRow): VariablesFormValues {
  return {
    variables: sortedVariables(egg.definition.variables).map((v) => ({
      name: v.name,
      description: v.description,
      env_variable: v.env_variable,
      default_value: v.default_value,
      user_viewable: v.user_viewable,
      user_editable: v.user_editable,
      rules: v.rules.join("\n"),
    })),
  };
}

/** A row index as react-hook-form spells it in a field path. */
function at(i: number) {
  return String(i) as `${number}`;
}

const EMPTY = {
  name: "",
  description: "",
  env_variable: "",
  default_value: "",
  user_viewable: true,
  user_editable: true,
  rules: "nullable\nstring",
};

/**
 * An egg's variables: name, environment variable, default, who sees and
 * changes it, and its rules (one per line, checked as the API checks them).
 * Saved together, in the order shown.
 */
export function VariablesEditor({ org, egg, mayManage }: { org: string; egg: EggRow; mayManage: boolean }) {
  const save = useSaveVariables(org, egg.id);
  const form = useForm<VariablesFormValues>({ resolver: zodResolver(variablesFormSchema), values: toForm(egg) });
  const list = useFieldArray({ control: form.control, name: "variables" });

  function onSubmit(values: VariablesFormValues) {
    save.mutate(
      values.variables.map((v, i) => ({
        ...v,
        name: v.name.trim(),
        env_variable: v.env_variable.trim(),
        rules: splitRules(v.rules),
        sort: i + 1,
      })),
      {
        onError: (error) => {
          // The API names fields `variables.N.rules`; the form's are the same paths.
          showFormError(
            form,
            error,
            values.variables.flatMap((_, i) =>
              (["name", "env_variable", "default_value", "rules"] as const).map((f) => `variables.${at(i)}.${f}` as const),
            ),
          );
        },
      },
    );
  }

  return (
    <Form {...form}>
      <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid gap-4">
        <FormRootError />
        {list.fields.length === 0 ? (
          <p className="text-sm text-muted-foreground">This egg has no variables.</p>
        ) : null}
        <ol className="grid gap-4">
          {list.fields.map((field, i) => {
            const n = at(i);
            return (
            <li key={field.id} className="grid gap-4 rounded-lg border p-4">
              <fieldset disabled={!mayManage} className="grid gap-4">
                <legend className="sr-only">
                  Variable {i + 1}: {field.env_variable || "new"}
                </legend>
                <div className="grid gap-4 sm:grid-cols-2">
                  <TextField control={form.control} name={`variables.${n}.name`} label="Name" />
                  <TextField
                    control={form.control}
                    name={`variables.${n}.env_variable`}
                    label="Environment variable"
                    className="font-mono"
                  />
                </div>
                <TextField control={form.control} name={`variables.${n}.description`} label="Description" />
                <TextField
                  control={form.control}
                  name={`variables.${n}.default_value`}
                  label="Default value"
                  className="font-mono"
                />
                <FormField
                  control={form.control}
                  name={`variables.${n}.rules`}
                  render={({ field: rules }) => (
                    <FormItem>
                      <FormLabel>Rules</FormLabel>
                      <FormControl>
                        <Textarea {...rules} rows={3} spellCheck={false} className="font-mono text-xs" />
                      </FormControl>
                      <FormDescription>One per line, e.g. required, string, max:20, in:a,b, regex:/^\w+$/.</FormDescription>
                      <FormMessage />
                    </FormItem>
                  )}
                />
                <div className="flex flex-wrap items-center gap-6">
                  {(["user_viewable", "user_editable"] as const).map((flag) => (
                    <FormField
                      key={flag}
                      control={form.control}
                      name={`variables.${n}.${flag}`}
                      render={({ field: box }) => (
                        <FormItem className="flex items-center gap-2">
                          <FormControl>
                            <input
                              type="checkbox"
                              className="size-4 accent-primary"
                              checked={box.value}
                              onChange={(e) => {
                                box.onChange(e.target.checked);
                              }}
                              onBlur={box.onBlur}
                              name={box.name}
                              ref={box.ref}
                            />
                          </FormControl>
                          <FormLabel className="font-normal">
                            {flag === "user_viewable" ? "Server users see it" : "Server users may change it"}
                          </FormLabel>
                        </FormItem>
                      )}
                    />
                  ))}
                  {mayManage ? (
                    <Button
                      type="button"
                      variant="ghost"
                      size="sm"
                      className="ml-auto"
                      onClick={() => {
                        list.remove(i);
                      }}
                    >
                      <Trash2 aria-hidden="true" />
                      Remove variable {i + 1}
                    </Button>
                  ) : null}
                </div>
              </fieldset>
            </li>
            );
          })}
        </ol>
        {mayManage ? (
          <div className="flex flex-wrap gap-2">
            <Button
              type="button"
              variant="outline"
              onClick={() => {
                list.append(EMPTY);
              }}
            >
              <Plus aria-hidden="true" />
              Add variable
            </Button>
            <Button type="submit" disabled={save.isPending}>
              {save.isPending ? "Saving…" : "Save variables"}
            </Button>
          </div>
        ) : null}
      </form>
    </Form>
  );
}
