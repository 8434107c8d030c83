/**
 * Dashboard figure: the time to an interactive instance list with 1,000 servers. A `nimbus up
 * --driver fake` child process over 100 fake hosts; 50 clients boot the servers in the admin
 * project on a /20 network of its own; Debian's chromium (headless, a fresh profile, nothing
 * downloaded) logs in on the dashboard as admin, the servers' owner, then loads the Instances page
 * again and again. A load's time runs from navigation start to the frame in which the first row's
 * action menu button is in the DOM and enabled, measured in the page (an observer set before the
 * page's own scripts), so Playwright's polling does not count. Half the loads start with the
 * browser's cache cleared (the bundle fetched again), half with it warm. The rows in the DOM
 * show that the list pages rather than drawing every server. The cloud, its state dir and the
 * browser profile are removed afterwards, also on failure and on Ctrl-C. Prints one JSON object.
 * NIMBUS_BENCH_SERVERS sets how many servers (default 1000), NIMBUS_BENCH_LOADS the loads of each
 * kind (default 5). Build the dashboard first (`node scripts/build-dashboard.mjs`).
 */
import { loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { chromiumUnavailable, launchChromium, logInDashboard } from '../test/support/browser.js';
import { freePort } from '../test/support/free-port.js';
import { startBenchCloud } from './support/bench-cloud.js';
import { apiFor, benchNetwork, createServer, refuseErrors, unlimitAdminQuotas, uploadImage, waitUntilNone } from './support/compute-api.js';
import { measure, percentile } from './support/latency.js';

const SERVERS = Number(process.env['NIMBUS_BENCH_SERVERS'] ?? 1000);
const LOADS = Number(process.env['NIMBUS_BENCH_LOADS'] ?? 5);
const HOSTS = 100;
const CLIENTS = 50;
/** A row's action menu button, as the Instances page draws it. */
const ROW_ACTIONS = 'tbody tr[data-server] button[aria-label^="Actions for "]';

/**
 * Runs in the page before its own scripts: when a row's action button is first in the DOM and
 * enabled, records the time of the next animation frame (the one that paints it) since navigation start.
 */
const MARK_INTERACTIVE = `
new MutationObserver((_, observer) => {
  if (document.querySelector('${ROW_ACTIONS}:not(:disabled)') === null) return;
  observer.disconnect();
  requestAnimationFrame(() => { window.nimbusBenchInteractiveMs = performance.now(); });
}).observe(document, { childList: true, subtree: true, attributes: true });
`;

/** What remains to undo, last first: the run's `finally` and Ctrl-C both come here. */
const cleanUps: (() => Promise<void>)[] = [];

async function cleanUp(): Promise<void> {
  for (const step of cleanUps.splice(0).reverse()) {
    try {
      await step();
    } catch (error) {
      process.stderr.write(`clean-up: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

interface Load {
  readonly ms: number;
  readonly rows: number;
  readonly nextPageEnabled: boolean;
}

/** One full load of the Instances page (not a fragment change: from about:blank; the session stays in the tab). */
async function loadInstances(page: Page, instancesUrl: string): Promise<Load> {
  await page.goto('about:blank');
  await page.goto(instancesUrl);
  await page.waitForFunction('window.nimbusBenchInteractiveMs !== undefined', undefined, { timeout: 60_000 });
  const ms = await page.evaluate<number>('window.nimbusBenchInteractiveMs');
  const firstActions = page.locator(ROW_ACTIONS).first();
  if (!(await firstActions.isVisible()) || !(await firstActions.isEnabled())) throw new Error("the first row's action button is not visible and enabled");
  return {
    ms: Math.round(ms),
    rows: await page.locator('tbody tr[data-server]').count(),
    nextPageEnabled: await page.getByRole('button', { name: 'Next page' }).isEnabled(),
  };
}

/** `LOADS` loads, each after `before`; the p50 and every sample. */
async function loads(page: Page, instancesUrl: string, before: () => Promise<void>) {
  const taken: Load[] = [];
  for (let i = 0; i < LOADS; i += 1) {
    await before();
    taken.push(await loadInstances(page, instancesUrl));
  }
  const ms = taken.map((load) => load.ms);
  return { p50_ms: percentile([...ms].sort((a, b) => a - b), 0.5), samples_ms: ms, rows_in_dom: taken.map((load) => load.rows), next_page_enabled: taken.every((load) => load.nextPageEnabled) };
}

async function main(): Promise<void> {
  const unavailable = chromiumUnavailable();
  if (unavailable !== false) throw new Error(unavailable);
  const loadBefore = loadavg();
  const cloud = await startBenchCloud(await freePort(), 'dashboard-instances', ['--compute-hosts', String(HOSTS)]);
  cleanUps.push(() => cloud.stop());
  const api = await apiFor(cloud);
  await unlimitAdminQuotas(api);
  const imageRef = await uploadImage(cloud, api);
  const networkId = await benchNetwork(api);

  let booted = 0;
  const started = performance.now();
  const creates = await measure(SERVERS, CLIENTS, async () => {
    booted += 1;
    await createServer(api, imageRef, `bench-${String(booted).padStart(4, '0')}`, networkId);
  });
  await waitUntilNone(api, '&status=BUILD');
  const secondsToActive = (performance.now() - started) / 1000;
  await refuseErrors(api);

  const browser = await launchChromium();
  cleanUps.push(() => browser.close());
  const page = await browser.context.newPage();
  await logInDashboard(page, cloud.url, 'admin', cloud.adminPassword);
  await page.addInitScript(MARK_INTERACTIVE);
  const instancesUrl = `${page.url().split('#')[0] ?? ''}#/instances`;
  const devtools = await browser.context.newCDPSession(page);
  const cold = await loads(page, instancesUrl, async () => void (await devtools.send('Network.clearBrowserCache')));
  const warm = await loads(page, instancesUrl, async () => undefined);

  const rounded = (values: number[]) => values.map((value) => Math.round(value * 100) / 100);
  process.stdout.write(
    `${JSON.stringify(
      {
        bench: 'dashboard-instances',
        servers: SERVERS,
        hosts: HOSTS,
        boots: { clients: CLIENTS, creates, seconds_to_all_active: Math.round(secondsToActive * 10) / 10 },
        instance_list_interactive_cold_cache: cold,
        instance_list_interactive_warm_cache: warm,
        load_average_before: rounded(loadBefore),
        load_average_after: rounded(loadavg()),
      },
      null,
      2,
    )}\n`,
  );
}

try {
  await main();
} finally {
  await cleanUp();
}
