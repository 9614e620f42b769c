import { describe, expect, it } from "vitest";

import { CRON_PRESETS, describeCron } from "@/features/schedules/utils/describe-cron";

describe("describeCron", () => {
  it("says the common schedules plainly", () => {
    expect(describeCron("0 4 * * *")).toBe("at 04:00 every day (UTC)");
    expect(describeCron("* * * * *")).toBe("every minute (UTC)");
    expect(describeCron("*/5 * * * *")).toBe("every 5 minutes (UTC)");
    expect(describeCron("0 * * * *")).toBe("every hour, on the hour (UTC)");
    expect(describeCron("30 * * * *")).toBe("every hour at minute 30 (UTC)");
    expect(describeCron("0 */6 * * *")).toBe("every 6 hours, on the hour (UTC)");
    expect(describeCron("0 4 * * 1")).toBe("at 04:00 on Monday (UTC)");
    expect(describeCron("30 22 * * 1-5")).toBe("at 22:30 on Monday to Friday (UTC)");
    expect(describeCron("0 4 1 * *")).toBe("at 04:00 on day 1 of every month (UTC)");
    expect(describeCron("0 4 1,15 6 *")).toBe("at 04:00 on day 1 and day 15 in June (UTC)");
    expect(describeCron("0 4 * * 0,6")).toBe("at 04:00 on Sunday and Saturday (UTC)");
  });

  it("describes what it cannot phrase field by field", () => {
    expect(describeCron("0 4 L * *")).toBe("at 04:00 on days of the month L (UTC)");
  });

  it("refuses anything but five fields", () => {
    expect(describeCron("")).toBeNull();
    expect(describeCron("* * * *")).toBeNull();
    expect(describeCron("0 * * * * *")).toBeNull();
  });

  it("has a preview for every preset", () => {
    for (const preset of CRON_PRESETS) expect(describeCron(preset.cron)).not.toBeNull();
  });
});
