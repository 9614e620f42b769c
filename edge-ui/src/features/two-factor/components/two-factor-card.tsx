import { zodResolver } from "@hookform/resolvers/zod";
import { ShieldCheck, ShieldOff } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { FormRootError, TextField } from "@/components/text-field";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Form } from "@/components/ui/form";
import {
  useDisableTwoFactor,
  useRegenerateRecoveryCodes,
  useStartTwoFactorSetup,
} from "@/features/two-factor/api/two-factor";
import { RecoveryCodes } from "@/features/two-factor/components/recovery-codes";
import { TwoFactorSetup } from "@/features/two-factor/components/two-factor-setup";
import {
  disableSchema,
  regenerateSchema,
  type DisableValues,
  type Enrollment,
  type RegenerateValues,
} from "@/features/two-factor/schemas/two-factor";
import { ApiError } from "@/lib/api-client";
import { useMe } from "@/lib/auth";
import { applyServerErrors } from "@/lib/form-errors";

/** Two-factor sign-in: turning it on (QR code, then recovery codes once), new codes, turning it off. */
export function TwoFactorCard() {
  const { user } = useMe();
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const start = useStartTwoFactorSetup();

  let body;
  if (codes) {
    body = (
      <RecoveryCodes
        codes={codes}
        onDone={() => {
          setCodes(null);
        }}
      />
    );
  } else if (user.totp_enabled) {
    body = <EnabledActions onNewCodes={setCodes} />;
  } else if (enrollment) {
    body = (
      <TwoFactorSetup
        enrollment={enrollment}
        onEnabled={(recoveryCodes) => {
          setEnrollment(null);
          setCodes(recoveryCodes);
        }}
        onCancel={() => {
          setEnrollment(null);
        }}
      />
    );
  } else {
    body = (
      <div>
        <Button
          disabled={start.isPending}
          onClick={() => {
            start.mutate(undefined, { onSuccess: setEnrollment });
          }}
        >
          <ShieldCheck aria-hidden="true" />
          {start.isPending ? "Starting…" : "Set up two-factor sign-in"}
        </Button>
      </div>
    );
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2} className="flex items-center gap-2">
          Two-factor sign-in
          {user.totp_enabled ? <Badge>On</Badge> : <Badge variant="outline">Off</Badge>}
        </CardTitle>
        <CardDescription>
          Ask for a code from an authenticator app after your password, so a stolen password is not enough.
        </CardDescription>
      </CardHeader>
      <CardContent>{body}</CardContent>
    </Card>
  );
}

function EnabledActions({ onNewCodes }: { onNewCodes: (codes: string[]) => void }) {
  return (
    <div className="flex flex-wrap gap-2">
      <RegenerateDialog onNewCodes={onNewCodes} />
      <DisableDialog />
    </div>
  );
}

function RegenerateDialog({ onNewCodes }: { onNewCodes: (codes: string[]) => void }) {
  const [open, setOpen] = useState(false);
  const regenerate = useRegenerateRecoveryCodes();
  const form = useForm({ resolver: zodResolver(regenerateSchema), defaultValues: { code: "" } });

  function onSubmit(values: RegenerateValues) {
    regenerate.mutate(values, {
      onSuccess: ({ recovery_codes }) => {
        setOpen(false);
        form.reset();
        onNewCodes(recovery_codes);
      },
      onError: (error) => {
        if (!applyServerErrors(form, error, ["code"]) && error instanceof ApiError)
          form.setError("code", { message: error.message }, { shouldFocus: true });
      },
    });
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) form.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button variant="outline">Make new recovery codes</Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Make new recovery codes</DialogTitle>
          <DialogDescription>Your current recovery codes stop working.</DialogDescription>
        </DialogHeader>
        <Form {...form}>
          <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid gap-4">
            <FormRootError />
            <TextField
              control={form.control}
              name="code"
              label="Authentication code"
              autoComplete="one-time-code"
              description="A code from your app, or a recovery code."
            />
            <DialogFooter>
              <Button type="submit" disabled={regenerate.isPending}>
                {regenerate.isPending ? "Making codes…" : "Make new codes"}
              </Button>
            </DialogFooter>
          </form>
        </Form>
      </DialogContent>
    </Dialog>
  );
}

function DisableDialog() {
  const { user } = useMe();
  const [open, setOpen] = useState(false);
  const disable = useDisableTwoFactor();
  const form = useForm({ resolver: zodResolver(disableSchema), defaultValues: { password: "", code: "" } });

  function onSubmit(values: DisableValues) {
    disable.mutate(values, {
      onSuccess: () => {
        setOpen(false);
        form.reset();
      },
      onError: (error) => {
        if (!applyServerErrors(form, error, ["password", "code"]) && error instanceof ApiError)
          form.setError("root.server", { message: error.message });
      },
    });
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) form.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button variant="outline">
          <ShieldOff aria-hidden="true" />
          Turn off
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Turn off two-factor sign-in?</DialogTitle>
          <DialogDescription>Your password alone will sign you in. Your recovery codes stop working.</DialogDescription>
        </DialogHeader>
        <Form {...form}>
          <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid gap-4">
            <input type="text" name="username" autoComplete="username" value={user.email} hidden readOnly />
            <FormRootError />
            <TextField control={form.control} name="password" label="Password" type="password" autoComplete="current-password" />
            <TextField
              control={form.control}
              name="code"
              label="Authentication code"
              autoComplete="one-time-code"
              description="A code from your app, or a recovery code."
            />
            <DialogFooter>
              <Button type="submit" variant="destructive" disabled={disable.isPending}>
                {disable.isPending ? "Turning off…" : "Turn off two-factor sign-in"}
              </Button>
            </DialogFooter>
          </form>
        </Form>
      </DialogContent>
    </Dialog>
  );
}
