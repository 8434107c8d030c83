import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { chromiumUnavailable, launchChromium, logInDashboard, screenshotter, testOutputDir, type TestBrowser } from '../support/browser.js';
import { cliPersonas, startComputeCloud, type ComputeCloud } from '../support/compute-cloud.js';

// Issue 17's acceptance for the dashboard's first slice, in Debian's chromium: what a user does in
// the browser, against `nimbus up --driver fake`. Screenshots land in test-output/dashboard/.
const skip = chromiumUnavailable();

describe('dashboard in a real browser', { skip }, () => {
  let cloud: ComputeCloud;
  let chromium: TestBrowser;
  let page: Page;
  const shots = screenshotter(testOutputDir('dashboard'));

  before(async () => {
    cloud = await startComputeCloud('dashboard', { hosts: 1 });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
  });
  after(async () => {
    await chromium?.close();
    await cloud?.stop();
  });

  const logIn = (user: 'demo' | 'admin') => logInDashboard(page, cloud.url, user, cliPersonas(cloud.stateDir)[user]['OS_PASSWORD'] ?? '');

  /** Runs one of a server's row actions from its menu. */
  async function rowAction(server: string, action: string, screenshot?: { t: TestContext; name: string }): Promise<void> {
    await page.getByRole('button', { name: `Actions for ${server}` }).click();
    if (screenshot !== undefined) screenshot.t.diagnostic(await shots.shot(page, screenshot.name));
    await page.locator(`tr[data-server="${server}"]`).getByRole('button', { name: action, exact: true }).click();
  }

  /** The status badge of a server's row in the instances table. */
  const rowStatus = (name: string) => page.locator(`tr[data-server="${name}"] .badge`);

  test('the demo user logs in, launches, watches, pauses, uploads and deletes', async (t) => {
    await logIn('demo');
    assert.equal(new URL(page.url()).pathname, '/dashboard/', 'the root redirects to the dashboard');
    await page.locator('.usage').first().waitFor();
    t.diagnostic(await shots.shot(page, 'overview'));

    // The launch wizard; from here on the page is never reloaded: the marker would vanish.
    await page.evaluate('window.notReloaded = true');
    await page.getByRole('link', { name: 'Instances' }).click();
    await page.getByRole('link', { name: 'Launch instance' }).click();
    await page.getByLabel('Instance name').fill('web1');
    await page.getByLabel('Image').selectOption({ label: 'cirros' });
    const tiny = await page.locator('select[name=flavor] option', { hasText: 'm1.tiny' }).getAttribute('value');
    await page.getByLabel('Flavor').selectOption(tiny ?? '');
    await page.getByLabel('User data').fill('#cloud-config\n');
    t.diagnostic(await shots.shot(page, 'launch-wizard'));
    await page.getByRole('button', { name: 'Launch' }).click();
    await rowStatus('web1').filter({ hasText: 'ACTIVE' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.evaluate('window.notReloaded === true'), true, 'ACTIVE showed up without a reload');
    t.diagnostic(await shots.shot(page, 'instances-active'));

    // The instance page: console log and action log with request ids.
    await page.getByRole('link', { name: 'web1' }).click();
    await page.getByRole('heading', { name: 'web1' }).waitFor();
    t.diagnostic(await shots.shot(page, 'instance-overview'));
    await page.getByRole('tab', { name: 'Console log' }).click();
    await page.getByLabel('Console log', { exact: true }).locator('xpath=self::pre').waitFor();
    t.diagnostic(await shots.shot(page, 'instance-console-log'));
    await page.getByRole('tab', { name: 'Action log' }).click();
    const createRow = page.locator('tr', { hasText: 'create' });
    await createRow.waitFor();
    assert.match(await createRow.locator('code').innerText(), /^req-[0-9a-f-]{36}$/);
    t.diagnostic(await shots.shot(page, 'instance-action-log'));

    // Pause and unpause from the row menu; the badge follows.
    await page.getByRole('link', { name: '← Instances' }).click();
    await rowAction('web1', 'Pause', { t, name: 'instances-action-menu' });
    await rowStatus('web1').filter({ hasText: 'PAUSED' }).waitFor({ timeout: 30_000 });
    t.diagnostic(await shots.shot(page, 'instances-paused'));
    await rowAction('web1', 'Unpause');
    await rowStatus('web1').filter({ hasText: 'ACTIVE' }).waitFor({ timeout: 30_000 });

    // An image upload, throttled so the progress bar has time to move.
    await page.getByRole('link', { name: 'Images' }).click();
    await page.getByRole('heading', { name: 'Images' }).waitFor();
    const cdp = await chromium.context.newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 2 * 1024 * 1024 });
    // Page scripts are strings: the test is type-checked for Node, without the DOM's types.
    await page.evaluate(`
      window.progressSeen = [];
      new MutationObserver(() => {
        const bar = document.querySelector('progress.upload-progress');
        if (bar) window.progressSeen.push(bar.value);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    `);
    await page.getByLabel('Image name').fill('uploaded');
    await page.getByLabel('File').setInputFiles({ name: 'disk.raw', mimeType: 'application/octet-stream', buffer: Buffer.alloc(4 * 1024 * 1024, 7) });
    await page.getByLabel('Disk format').selectOption('raw');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.waitForFunction(`document.querySelector('progress.upload-progress')?.value === 100`, undefined, { timeout: 30_000 });
    t.diagnostic(await shots.shot(page, 'images-uploaded'));
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    const seen = await page.evaluate<number[]>('window.progressSeen');
    assert.ok(seen.some((value) => value > 0 && value < 100), `the bar moved through values between 0 and 100: ${seen.join(',')}`);
    await page.locator('tr[data-image="uploaded"] .badge', { hasText: 'active' }).waitFor({ timeout: 10_000 });

    // Delete, confirmed in the dialog.
    await page.getByRole('link', { name: 'Instances' }).click();
    await rowAction('web1', 'Delete');
    await page.getByRole('dialog').waitFor();
    t.diagnostic(await shots.shot(page, 'instances-confirm-delete'));
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.locator('tr[data-server="web1"]').waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByText('No instances in this project.').waitFor();
    assert.equal(await page.evaluate('window.notReloaded === true'), true);
  });

  test("a launch over quota shows Nova's own message", async (t) => {
    await page.goto(`${cloud.url}/dashboard/#/instances/launch`);
    await page.getByLabel('Instance name').fill('many');
    await page.getByLabel('Count').fill('11');
    await page.getByRole('button', { name: 'Launch' }).click();
    await page.getByRole('alert').filter({ hasText: /Quota exceeded for instances/ }).waitFor();
    t.diagnostic(await shots.shot(page, 'launch-over-quota'));
  });

  test("key pairs: a generated one shows its private key once; a bad public key shows Nova's message", async (t) => {
    await page.goto(`${cloud.url}/dashboard/#/keypairs`);
    await page.getByLabel('Key pair name').fill('laptop');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByText('-----BEGIN').waitFor();
    await page.locator('td', { hasText: 'laptop' }).waitFor();
    t.diagnostic(await shots.shot(page, 'keypairs-generated'));
    await page.getByLabel('Key pair name').fill('broken');
    await page.getByLabel('Public key (empty: generate one)').fill('ssh-rsa not-a-key');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /^Keypair data is invalid/);
  });

  test('a member opening an admin page is told it is not allowed', async (t) => {
    await page.goto(`${cloud.url}/dashboard/#/admin/hypervisors`);
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    t.diagnostic(await shots.shot(page, 'member-admin-not-allowed'));
  });

  test('at 390 px wide the menu folds away and the pages still work', async (t) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${cloud.url}/dashboard/#/instances`);
    await page.getByRole('heading', { name: 'Instances' }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Pages' }).isVisible(), false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    t.diagnostic(await shots.shot(page, 'phone-menu'));
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.locator('.usage').first().waitFor();
    t.diagnostic(await shots.shot(page, 'phone-overview'));
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('log out revokes the token and shows the login form again', async () => {
    const tokens = await page.evaluate<string[]>(`Object.values(JSON.parse(sessionStorage.getItem('nimbus-dashboard-session') ?? '{}')).filter((v) => typeof v === 'string' && v.startsWith('gAAAA'))`);
    assert.equal(tokens.length, 2, 'the login token and the project token');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in to Nimbus' }).waitFor();
    assert.equal(await page.evaluate('sessionStorage.length'), 0);
    for (const token of tokens) {
      const check = await fetch(`${cloud.url}/identity/v3/auth/projects`, { headers: { 'x-auth-token': token } });
      assert.equal(check.status, 401, 'a revoked token is no longer accepted');
    }
  });

  test('a token revoked elsewhere sends the page back to the login form', async () => {
    await logIn('demo');
    const token = await page.evaluate<string>(`JSON.parse(sessionStorage.getItem('nimbus-dashboard-session')).token`);
    const revoked = await fetch(`${cloud.url}/identity/v3/auth/tokens`, { method: 'DELETE', headers: { 'x-auth-token': token, 'x-subject-token': token } });
    assert.equal(revoked.status, 204);
    await page.getByRole('link', { name: 'Instances' }).click();
    await page.getByRole('heading', { name: 'Log in to Nimbus' }).waitFor();
  });

  test('the admin sees hypervisors with usage bars and the compute services', async (t) => {
    await logIn('admin');
    await page.goto(`${cloud.url}/dashboard/#/admin/hypervisors`);
    await page.getByRole('meter', { name: 'vCPUs' }).first().waitFor();
    t.diagnostic(await shots.shot(page, 'admin-hypervisors'));
    await page.goto(`${cloud.url}/dashboard/#/admin/services`);
    await page.locator('td', { hasText: 'nova-compute' }).first().waitFor();
    t.diagnostic(await shots.shot(page, 'admin-services'));
    await page.goto(`${cloud.url}/dashboard/#/admin/flavors`);
    await page.locator('td', { hasText: 'm1.tiny' }).waitFor();
    t.diagnostic(await shots.shot(page, 'admin-flavors'));
    await page.goto(`${cloud.url}/dashboard/#/admin/identity`);
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    t.diagnostic(await shots.shot(page, 'admin-projects-users'));
  });

  test("the admin follows a launch's request through API, conductor, scheduler and agent on its timeline page", async (t) => {
    const created = await cloud.compute('POST', '/servers', { body: { server: { name: 'traced', imageRef: cloud.imageId, flavorRef: '1' } } });
    assert.equal(created.status, 202, JSON.stringify(created.json));
    const id = String((created.json['server'] as { id: string }).id);
    await cloud.waitForStatus(id, 'ACTIVE');
    const requestId = created.headers.get('x-openstack-request-id') ?? '';
    const timeline = await cloud.compute('GET', `/nimbus/request-timelines/${requestId}`);
    assert.equal(timeline.status, 200);
    const steps = (timeline.json['request_timeline'] as { steps: { service: string; step: string; result: string | null }[] }).steps;
    assert.deepEqual(
      steps.map((step) => [step.service, step.step, step.result]),
      [
        ['nova-api', 'POST /servers', 'Success'],
        ['nova-conductor', 'schedule_instances', 'Success'],
        ['nova-scheduler', 'select_destinations', 'Success'],
        ['nova-compute', 'compute__do_build_and_run_instance', 'Success'],
      ],
    );

    await page.goto(`${cloud.url}/dashboard/#/instances/${id}`);
    await page.getByRole('tab', { name: 'Action log' }).click();
    await page.getByRole('link', { name: `Timeline of create ${requestId}` }).click();
    await page.getByRole('heading', { name: 'Request timeline' }).waitFor();
    for (const service of ['nova-api', 'nova-conductor', 'nova-scheduler', 'nova-compute']) {
      await page.locator(`tr[data-service="${service}"]`).first().waitFor();
    }
    t.diagnostic(await shots.shot(page, 'request-timeline'));
    assert.equal((await cloud.compute('DELETE', `/servers/${id}`)).status, 204);
  });

  test('the project switcher rescopes to another project of the user and revokes the old token', async (t) => {
    const id = async (path: string, key: string, name: string) =>
      ((await cloud.compute('GET', `/identity/v3/${path}?name=${name}`)).json[key] as { id: string }[])[0]?.id ?? '';
    const [demoProject, adminUser, member] = await Promise.all([id('projects', 'projects', 'demo'), id('users', 'users', 'admin'), id('roles', 'roles', 'member')]);
    const granted = await cloud.compute('PUT', `/identity/v3/projects/${demoProject}/users/${adminUser}/roles/${member}`);
    assert.equal(granted.status, 204);
    await page.goto(`${cloud.url}/dashboard/#/overview`);
    await page.getByLabel('Project').focus();
    const before = await page.evaluate<string>(`JSON.parse(sessionStorage.getItem('nimbus-dashboard-session')).token`);
    await page.getByLabel('Project').selectOption({ label: 'demo' });
    await page.getByRole('heading', { name: 'Overview of demo' }).waitFor();
    t.diagnostic(await shots.shot(page, 'switched-to-demo'));
    const old = await fetch(`${cloud.url}/identity/v3/auth/projects`, { headers: { 'x-auth-token': before } });
    assert.equal(old.status, 401, "the old project's token is revoked");
    await page.getByRole('link', { name: 'Instances' }).click();
    await page.getByRole('heading', { name: 'Instances' }).waitFor();
    await page.getByText('No instances in this project.').waitFor();
  });

  test('a project with more instances than a page shows them a page at a time', async (t) => {
    const demoProject = ((await cloud.compute('GET', '/identity/v3/projects?name=demo')).json['projects'] as { id: string }[])[0]?.id ?? '';
    const raised = await cloud.compute('PUT', `/os-quota-sets/${demoProject}`, { body: { quota_set: { instances: 60, cores: 60, ram: 60 * 512 } } });
    assert.equal(raised.status, 200);
    const booted = await cloud.compute('POST', '/servers', {
      as: 'demo',
      body: { server: { name: 'many', imageRef: cloud.imageId, flavorRef: '1', min_count: 51, max_count: 51 } },
    });
    assert.equal(booted.status, 202, JSON.stringify(booted.json));
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('link', { name: 'Instances' }).click();
    const rows = page.locator('tbody tr');
    await page.getByRole('button', { name: 'Next page' }).waitFor();
    assert.equal(await rows.count(), 50);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2').waitFor();
    await page.waitForFunction(`document.querySelectorAll('tbody tr').length === 1`);
    t.diagnostic(await shots.shot(page, 'instances-page-2'));
    assert.equal(await page.getByRole('button', { name: 'Next page' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.waitForFunction(`document.querySelectorAll('tbody tr').length === 50`);
  });
});
