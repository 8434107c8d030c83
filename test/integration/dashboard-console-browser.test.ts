import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumUnavailable, launchChromium, logInDashboard, screenshotter, testOutputDir, type TestBrowser } from '../support/browser.js';
import { openConsole } from '../support/console-client.js';
import { openstackJson } from '../support/openstack-cli.js';
import { qemuCliUnavailable, startQemuCliCloud, type QemuCliCloud } from '../support/qemu-cli-cloud.js';

// Issue 17's VNC console acceptance in Debian's chromium: a real TCG guest's screen drawn by noVNC
// in the instance page's Console tab and on the page a console URL opens, through the console
// proxy's websocket. Screenshots land in test-output/dashboard/console/.
const skip = chromiumUnavailable() || qemuCliUnavailable();

/** Pixels of the guest's screen (the noVNC canvas under `selector`) brighter than the black background. */
function litPixels(page: Page, selector: string): Promise<number> {
  // A page script as a string: the test is type-checked for Node, without the DOM's types.
  return page.evaluate<number>(`(() => {
    const canvas = document.querySelector(${JSON.stringify(`${selector} canvas`)});
    if (!canvas || canvas.width === 0 || canvas.height === 0) return 0;
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 150) lit += 1;
    return lit;
  })()`);
}

/** Polls until `check` holds on the lit pixel count (25 s at most); returns the last count. */
async function litWhen(page: Page, selector: string, check: (lit: number) => boolean, what: string): Promise<number> {
  let lit = 0;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    lit = await litPixels(page, selector);
    if (check(lit)) return lit;
    await page.waitForTimeout(250);
  }
  throw new Error(`${what}: the screen never got there (last ${lit} lit pixels)`);
}

/** Waits until the screen stops changing by more than a blinking cursor between two looks a second apart. */
async function settledLit(page: Page, selector: string): Promise<number> {
  let previous = await litPixels(page, selector);
  for (let attempt = 0; attempt < 30; attempt += 1) {
    await page.waitForTimeout(1000);
    const lit = await litPixels(page, selector);
    if (Math.abs(lit - previous) <= 60) return lit;
    previous = lit;
  }
  return previous;
}

describe('VNC console of a real guest in the browser', { skip }, () => {
  let cloud: QemuCliCloud;
  let chromium: TestBrowser;
  let page: Page;
  const shots = screenshotter(testOutputDir('dashboard/console'));

  before(async () => {
    cloud = await startQemuCliCloud('dvnc', 1);
    await cloud.ok(['server', 'create', '--image', 'nimbus-tiny', '--flavor', 'm1.tiny', 'vm1']);
    await cloud.waitForStatus('vm1', 'ACTIVE');
    await cloud.nextBoot('vm1');
    chromium = await launchChromium();
    page = await chromium.context.newPage();
  });
  after(async () => {
    await chromium?.close();
    await cloud?.stop(['vm1']);
  });

  test("the Console tab draws the guest's screen, and typed keys change it", async (t) => {
    const url = new URL(cloud.admin['OS_AUTH_URL'] ?? '').origin;
    await logInDashboard(page, url, 'admin', cloud.admin['OS_PASSWORD'] ?? '');
    await page.goto(`${url}/dashboard/#/instances/${await cloud.idOf('vm1')}`);
    await page.getByRole('heading', { name: 'vm1' }).waitFor();
    await page.getByRole('tab', { name: 'Console', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Console: Connected' }).waitFor({ timeout: 30_000 });
    await litWhen(page, '.vnc-screen', (lit) => lit > 200, 'the guest screen drawn');
    const before = await settledLit(page, '.vnc-screen');
    t.diagnostic(await shots.shot(page, 'instance-vnc-console'));

    // The guest's shell on tty1 echoes what is typed: more of the screen lights up.
    await page.locator('.vnc-screen canvas').click();
    await page.keyboard.type('echo typed-through-vnc');
    const after = await litWhen(page, '.vnc-screen', (lit) => lit > before + 150, 'the typed keys echoed');
    t.diagnostic(`lit pixels before typing ${before}, after ${after}`);
    t.diagnostic(await shots.shot(page, 'instance-vnc-console-typed'));
  });

  test("a console URL's own page shows the guest once; its used token is 401 with no bytes", async (t) => {
    const { url } = await openstackJson<{ url: string }>(cloud.admin, ['console', 'url', 'show', '--novnc', 'vm1']);
    await page.goto(url);
    await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 30_000 });
    await litWhen(page, '#screen', (lit) => lit > 200, 'the guest screen drawn on the console page');
    t.diagnostic(await shots.shot(page, 'console-url-page'));

    const reused = await openConsole(url);
    assert.deepEqual([reused.status, reused.firstBytes.length], [401, 0]);
    await page.reload();
    await page.getByRole('status').filter({ hasText: 'Disconnected' }).waitFor({ timeout: 30_000 });
    assert.equal(await litPixels(page, '#screen'), 0, 'nothing of the guest is drawn');
    t.diagnostic(await shots.shot(page, 'console-url-used'));
  });
});
