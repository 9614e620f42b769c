import { Toaster as Sonner, type ToasterProps } from "sonner"

import { useTheme } from "@/components/theme/theme-context"
import { toastPaletteVariables } from "@/components/theme/toast-palette"

// shadcn's sonner reads the theme from next-themes; Flamingo has its own provider.
// The rich colours come from toast-palette.ts, which passes AA in both themes.
const Toaster = ({ ...props }: ToasterProps) => {
  const { resolvedTheme } = useTheme()

  return (
    <Sonner
      theme={resolvedTheme}
      className="toaster group"
      style={
        {
          "--normal-bg": "var(--popover)",
          "--normal-text": "var(--popover-foreground)",
          "--normal-border": "var(--border)",
          ...toastPaletteVariables(resolvedTheme),
        } as React.CSSProperties
      }
      {...props}
    />
  )
}

export { Toaster }
