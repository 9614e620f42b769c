import type { ReactNode } from "react";
import { Trash2 } from "lucide-react";

import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Button, buttonVariants } from "@/components/ui/button";

type ConfirmDialogProps = {
  /** The button that opens the dialog. */
  trigger: ReactNode;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
};

/** Asks before a destructive change. */
export function ConfirmDialog({ trigger, title, description, confirmLabel, onConfirm }: ConfirmDialogProps) {
  return (
    <AlertDialog>
      <AlertDialogTrigger asChild>{trigger}</AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>{title}</AlertDialogTitle>
          <AlertDialogDescription>{description}</AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Cancel</AlertDialogCancel>
          <AlertDialogAction className={buttonVariants({ variant: "destructive" })} onClick={onConfirm}>
            {confirmLabel}
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}

type ConfirmIconButtonProps = Omit<ConfirmDialogProps, "trigger"> & {
  /** The button's accessible name, such as "Remove web-1". */
  label: string;
  /** The button's icon; a trash can unless given. */
  icon?: ReactNode;
  disabled?: boolean;
};

/** A table row's icon button for a destructive change, which asks first. */
export function ConfirmIconButton({
  label,
  icon = <Trash2 aria-hidden="true" />,
  disabled,
  ...dialog
}: ConfirmIconButtonProps) {
  return (
    <ConfirmDialog
      {...dialog}
      trigger={
        <Button variant="ghost" size="icon" aria-label={label} disabled={disabled}>
          {icon}
        </Button>
      }
    />
  );
}
