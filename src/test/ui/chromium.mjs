// The system's Chromium (CHROMIUM), headless, through playwright-core: the flags keep it off this machine's closed
// network (no background traffic) and let it run as root (no sandbox).
import { chromium } from "playwright-core";

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}
