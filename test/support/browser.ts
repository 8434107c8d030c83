/**
 * Debian's chromium driven by playwright-core, headless, for the dashboard's browser tests.
 * Nothing is downloaded: the browser is the apt package (scripts/ensure-setup.mjs --test installs it).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** A skip reason when Debian's chromium is not installed, else false. */
export function chromiumUnavailable(): string | false {
  return existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`;
}

/** test-output/<name> at the repository root (gitignored): the tests' screenshots. */
export function testOutputDir(name: string): string {
  const dir = fileURLToPath(new URL(`../../../test-output/${name}/`, import.meta.url));
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface TestBrowser {
  /** The browser's one context (a persistent one: Playwright's way to give it a fresh profile dir). */
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh profile and no traffic of its own (no updates, sync or QUIC probes). */
export async function launchChromium(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'nimbus-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/** Numbered full-page screenshots of every page a test visits; `taken` lists their paths. */
export function screenshotter(dir: string) {
  const taken: string[] = [];
  return {
    taken,
    async shot(page: Page, name: string): Promise<string> {
      const path = join(dir, `${String(taken.length + 1).padStart(2, '0')}-${name}.png`);
      await page.screenshot({ path, fullPage: true });
      taken.push(path);
      return path;
    },
  };
}

/** Logs in on the dashboard's form (the root redirects there) and waits for the overview. */
export async function logInDashboard(page: Page, cloudUrl: string, user: string, password: string): Promise<void> {
  await page.goto(`${cloudUrl}/`);
  await page.getByLabel('Domain').fill('Default');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: /Overview of/ }).waitFor();
}
