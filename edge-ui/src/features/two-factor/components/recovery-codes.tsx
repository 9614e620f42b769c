import { Copy, Download } from "lucide-react";

import { Button } from "@/components/ui/button";
import { copyText } from "@/lib/clipboard";

function download(codes: readonly string[]) {
  const text = `Flamingo recovery codes\nEach code signs you in once if you lose your authenticator app.\n\n${codes.join("\n")}\n`;
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = "flamingo-recovery-codes.txt";
  link.click();
  URL.revokeObjectURL(url);
}

/** Recovery codes, shown once: copy or download them, then confirm. */
export function RecoveryCodes({ codes, onDone }: { codes: readonly string[]; onDone: () => void }) {
  return (
    <section aria-labelledby="recovery-codes-title" className="grid gap-4">
      <div className="grid gap-1">
        <h3 id="recovery-codes-title" className="font-semibold">
          Your recovery codes
        </h3>
        <p className="text-sm text-muted-foreground">
          Each code signs you in once if you lose your authenticator app. Keep them somewhere safe: they are shown
          only now.
        </p>
      </div>
      <ol
        aria-label="Recovery codes"
        className="grid grid-cols-2 gap-2 rounded-lg border bg-muted/40 p-4 font-mono text-sm sm:grid-cols-2"
      >
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="outline" onClick={() => void copyText(codes.join("\n"), "Recovery codes")}>
          <Copy aria-hidden="true" />
          Copy codes
        </Button>
        <Button
          type="button"
          variant="outline"
          onClick={() => {
            download(codes);
          }}
        >
          <Download aria-hidden="true" />
          Download
        </Button>
        <Button type="button" className="ml-auto" onClick={onDone}>
          I have saved them
        </Button>
      </div>
    </section>
  );
}
