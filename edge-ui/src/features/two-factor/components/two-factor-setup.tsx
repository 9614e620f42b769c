import { zodResolver } from "@hookform/resolvers/zod";
import { QRCodeSVG } from "qrcode.react";
import { useEffect, useRef } from "react";
import { useForm } from "react-hook-form";

import { CopyField } from "@/components/copy-field";
import { FormRootError, TextField } from "@/components/text-field";
import { Button } from "@/components/ui/button";
import { Form } from "@/components/ui/form";
import { useEnableTwoFactor } from "@/features/two-factor/api/two-factor";
import { enableSchema, type EnableValues, type Enrollment } from "@/features/two-factor/schemas/two-factor";
import { showFormError } from "@/lib/form-errors";

type TwoFactorSetupProps = {
  enrollment: Enrollment;
  onEnabled: (recoveryCodes: string[]) => void;
  onCancel: () => void;
};

/** Scan the QR code (or type the key), then prove it with a code. */
export function TwoFactorSetup({ enrollment, onEnabled, onCancel }: TwoFactorSetupProps) {
  const enable = useEnableTwoFactor();
  const form = useForm({ resolver: zodResolver(enableSchema), defaultValues: { code: "" } });
  const heading = useRef<HTMLHeadingElement>(null);

  // The steps are the page's answer to "Set up": land on them.
  useEffect(() => {
    heading.current?.focus();
  }, []);

  function onSubmit(values: EnableValues) {
    enable.mutate(values, {
      onSuccess: ({ recovery_codes }) => {
        onEnabled(recovery_codes);
      },
      onError: (error) => {
        showFormError(form, error, ["code"]);
      },
    });
  }

  return (
    <section aria-labelledby="two-factor-setup-title" className="grid gap-6">
      <h3 id="two-factor-setup-title" ref={heading} tabIndex={-1} className="font-semibold outline-none">
        Scan the QR code with your authenticator app
      </h3>
      <ol aria-label="Setup steps" className="grid list-decimal gap-1 pl-5 text-sm text-muted-foreground">
        <li>Open an authenticator app (1Password, Google Authenticator, Aegis…).</li>
        <li>Scan the QR code, or type the setup key.</li>
        <li>Enter the 6-digit code the app shows.</li>
      </ol>
      <div className="flex flex-col gap-6 sm:flex-row sm:items-start">
        <div className="w-fit shrink-0 rounded-lg border bg-white p-3">
          <QRCodeSVG
            value={enrollment.otpauth_url}
            size={176}
            bgColor="#ffffff"
            fgColor="#000000"
            title="QR code for your authenticator app"
            role="img"
            aria-label="QR code for your authenticator app"
          />
        </div>
        <div className="grid min-w-0 flex-1 gap-4">
          <CopyField
            label="Setup key"
            value={enrollment.secret}
            description="If you cannot scan, type this key into the app (time-based, 6 digits)."
          />
          <Form {...form}>
            <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid gap-4">
              <FormRootError />
              <TextField
                control={form.control}
                name="code"
                label="Code from the app"
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={7}
                className="max-w-40 font-mono tracking-widest"
              />
              <div className="flex gap-2">
                <Button type="submit" disabled={enable.isPending}>
                  {enable.isPending ? "Turning on…" : "Turn on two-factor sign-in"}
                </Button>
                <Button type="button" variant="ghost" onClick={onCancel}>
                  Cancel
                </Button>
              </div>
            </form>
          </Form>
        </div>
      </div>
    </section>
  );
}
