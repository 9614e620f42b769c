import { useEffect, useRef, type ComponentProps, type ReactNode } from "react";
import { useFormContext, type Control, type FieldValues, type Path } from "react-hook-form";

import {
  FormControl,
  FormDescription,
  FormField,
  FormItem,
  FormLabel,
  FormMessage,
} from "@/components/ui/form";
import { Input } from "@/components/ui/input";

type TextFieldProps<T extends FieldValues> = {
  control: Control<T>;
  name: Path<T>;
  label: string;
  description?: ReactNode;
} & Omit<ComponentProps<typeof Input>, "name" | "value" | "defaultValue" | "onChange" | "onBlur">;

/** A labelled text input bound to a react-hook-form field, with its description and error. */
export function TextField<T extends FieldValues>({
  control,
  name,
  label,
  description,
  ...inputProps
}: TextFieldProps<T>) {
  return (
    <FormField
      control={control}
      name={name}
      render={({ field }) => (
        <FormItem>
          <FormLabel>{label}</FormLabel>
          <FormControl>
            <Input {...inputProps} {...field} value={field.value ?? ""} />
          </FormControl>
          {description ? <FormDescription>{description}</FormDescription> : null}
          <FormMessage />
        </FormItem>
      )}
    />
  );
}

/**
 * The form-wide error (one not about a single field), e.g. wrong credentials.
 * It takes focus when it appears or changes, so keyboard and screen-reader
 * users land on it instead of on `<body>`.
 */
export function FormRootError() {
  const { formState } = useFormContext();
  const message = formState.errors.root?.server?.message;
  const ref = useRef<HTMLParagraphElement>(null);
  // A new submit that fails the same way sets a new error object: focus again.
  const error = formState.errors.root?.server;

  useEffect(() => {
    if (error) ref.current?.focus();
  }, [error]);

  if (!message) return null;
  return (
    <p
      ref={ref}
      role="alert"
      tabIndex={-1}
      data-slot="form-root-error"
      className="rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-red-700 outline-none dark:text-destructive focus-visible:ring-2 focus-visible:ring-destructive/50"
    >
      {message}
    </p>
  );
}
