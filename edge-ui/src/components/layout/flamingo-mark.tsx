import { cn } from "@/lib/utils";

/** Flamingo's logo mark: a flamingo standing on one leg on a pink tile. Decorative. */
export function FlamingoMark({ className }: { className?: string }) {
  return (
    <svg
      viewBox="0 0 32 32"
      aria-hidden="true"
      focusable="false"
      className={cn("size-8 shrink-0", className)}
    >
      <rect width="32" height="32" rx="8" className="fill-primary" />
      <g
        strokeLinecap="round"
        strokeLinejoin="round"
        className="fill-primary-foreground stroke-primary-foreground"
      >
        <circle cx="18.6" cy="6.6" r="2" stroke="none" />
        <path d="M20 5.9 23.2 7.3 21.9 10" fill="none" strokeWidth="1.6" />
        <path d="M17.6 8.2C14.4 10.4 14.2 13.4 18.4 15.2" fill="none" strokeWidth="2.2" />
        <path
          d="M19.8 15.6C19.8 19 17.4 21.2 13.6 21.2 10.6 21.2 8 19.6 6.8 17.6 9.4 18 10.6 16.8 12.4 15.4 14.6 13.8 19.8 13.2 19.8 15.6Z"
          strokeWidth="1"
        />
        <path d="M14.4 21v7.2M14.6 21.4l3.4 2.8-3.2 1.2" fill="none" strokeWidth="1.3" />
      </g>
    </svg>
  );
}
