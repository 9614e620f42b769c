import { notifyError, notifySuccess } from "@/lib/notify";

/** Copies `text` to the clipboard and says so in a toast; resolves whether it worked. */
export async function copyText(text: string, what: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    notifySuccess(`${what} copied`);
    return true;
  } catch (error) {
    notifyError(`Could not copy the ${/^.[a-z]/.test(what) ? what.toLowerCase() : what}; select it and copy it by hand`, error);
    return false;
  }
}
