import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";

import type { Me } from "@/api/generated/Me";
import { FormRootError, TextField } from "@/components/text-field";
import { Button } from "@/components/ui/button";
import { Form } from "@/components/ui/form";
import { needsSecondFactor, useLogin } from "@/features/auth/api/login";
import {
  credentialsSchema,
  secondFactorSchema,
  type CredentialsValues,
  type SecondFactorValues,
} from "@/features/auth/schemas/auth";
import { ApiError } from "@/lib/api-client";
import { showFormError } from "@/lib/form-errors";

/** Sign-in: email and password, then a code when two-factor sign-in is on. */
export function LoginForm({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [credentials, setCredentials] = useState<CredentialsValues | null>(null);

  return credentials ? (
    <SecondFactorStep
      credentials={credentials}
      onSignedIn={onSignedIn}
      onBack={() => {
        setCredentials(null);
      }}
    />
  ) : (
    <CredentialsStep onSignedIn={onSignedIn} onSecondFactor={setCredentials} />
  );
}

function CredentialsStep({
  onSignedIn,
  onSecondFactor,
}: {
  onSignedIn: (me: Me) => void;
  onSecondFactor: (credentials: CredentialsValues) => void;
}) {
  const login = useLogin();
  const form = useForm({
    resolver: zodResolver(credentialsSchema),
    defaultValues: { email: "", password: "" },
  });

  function onSubmit(values: CredentialsValues) {
    login.mutate(
      { ...values, totp: null },
      {
        onSuccess: (me) => {
          onSignedIn(me);
        },
        onError: (error) => {
          if (needsSecondFactor(error)) onSecondFactor(values);
          else showFormError(form, error, ["email", "password"]);
        },
      },
    );
  }

  return (
    <Form {...form}>
      <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid gap-4">
        <FormRootError />
        <TextField control={form.control} name="email" label="Email" type="email" autoComplete="username" autoFocus />
        <TextField
          control={form.control}
          name="password"
          label="Password"
          type="password"
          autoComplete="current-password"
        />
        <Button type="submit" disabled={login.isPending}>
          {login.isPending ? "Signing in…" : "Sign in"}
        </Button>
      </form>
    </Form>
  );
}

function SecondFactorStep({
  credentials,
  onSignedIn,
  onBack,
}: {
  credentials: CredentialsValues;
  onSignedIn: (me: Me) => void;
  onBack: () => void;
}) {
  const login = useLogin();
  const form = useForm({
    resolver: zodResolver(secondFactorSchema),
    defaultValues: { totp: "" },
  });

  function onSubmit(values: SecondFactorValues) {
    login.mutate(
      { ...credentials, totp: values.totp },
      {
        onSuccess: (me) => {
          onSignedIn(me);
        },
        onError: (error) => {
          if (error instanceof ApiError && error.code === "invalid_totp")
            form.setError("totp", { message: "That code is not valid. Check your app's clock and try again." }, { shouldFocus: true });
          else showFormError(form, error, ["totp"]);
        },
      },
    );
  }

  return (
    <Form {...form}>
      <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid gap-4">
        <p className="text-sm text-muted-foreground">
          Two-factor sign-in is on for <span className="font-medium text-foreground">{credentials.email}</span>.
        </p>
        <FormRootError />
        <TextField
          control={form.control}
          name="totp"
          label="Authentication code"
          autoComplete="one-time-code"
          autoFocus
          spellCheck={false}
          description="The 6-digit code from your authenticator app, or one of your recovery codes."
        />
        <Button type="submit" disabled={login.isPending}>
          {login.isPending ? "Verifying…" : "Verify and sign in"}
        </Button>
        <Button type="button" variant="ghost" onClick={onBack}>
          Use a different account
        </Button>
      </form>
    </Form>
  );
}
