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

  test('the overview charts volumes, gigabytes, floating IPs and security groups', async (t) => {
    await page.goto(`${cloud.url}/dashboard/#/overview`);
    for (const name of ['Volumes', 'Volume storage', 'Floating IPs', 'Security groups']) await page.getByRole('meter', { name, exact: true }).waitFor();
    // The demo project's default group (made with its network) counts, as `openstack quota show --usage` counts it.
    assert.equal(await page.getByRole('meter', { name: 'Security groups', exact: true }).getAttribute('aria-valuenow'), '1');
    assert.equal(await page.getByRole('meter', { name: 'Volumes', exact: true }).getAttribute('aria-valuenow'), '0');
    t.diagnostic(await shots.shot(page, 'overview-quotas'));
  });

  test('volumes: create blank and from an image, extend, snapshot and a volume from it, attach, detach, delete', async (t) => {
    const created = await cloud.compute('POST', '/servers', { as: 'demo', body: { server: { name: 'vm-vol', imageRef: cloud.imageId, flavorRef: '1' } } });
    assert.equal(created.status, 202, JSON.stringify(created.json));
    const serverId = String((created.json['server'] as { id: string }).id);
    // Gone even when the test fails: the later tests count the project's instances.
    t.after(async () => assert.equal((await cloud.compute('DELETE', `/servers/${serverId}`, { as: 'demo' })).status, 204));
    await cloud.waitForStatus(serverId, 'ACTIVE', 'demo');
    const volumeStatus = (name: string, status: string) =>
      page.locator(`tr[data-volume="${name}"] .badge`, { hasText: new RegExp(`^${status}$`) }).waitFor({ timeout: 30_000 });

    await page.getByRole('link', { name: 'Volumes' }).click();
    await page.getByRole('heading', { name: 'Volumes', exact: true }).waitFor();
    await page.evaluate('window.notReloaded = true');
    await page.getByLabel('Volume name').fill('data');
    await page.getByRole('button', { name: 'Create volume' }).click();
    await volumeStatus('data', 'available');
    await page.getByLabel('Volume name').fill('boot');
    await page.locator('select[name=kind]').selectOption('image');
    await page.getByLabel('Source image').selectOption({ label: 'cirros' });
    await page.getByRole('button', { name: 'Create volume' }).click();
    await volumeStatus('boot', 'available');

    await page.getByRole('button', { name: 'Extend volume data' }).click();
    await page.getByLabel('New size (GiB)').fill('1');
    await page.getByRole('form', { name: 'Extend volume data' }).getByRole('button', { name: 'Extend' }).click();
    await page.getByRole('alert').filter({ hasText: 'The new size must be more than the current 1 GiB.' }).waitFor();
    await page.getByLabel('New size (GiB)').fill('2');
    await page.getByRole('form', { name: 'Extend volume data' }).getByRole('button', { name: 'Extend' }).click();
    await page.locator('tr[data-volume="data"] td', { hasText: '2 GiB' }).waitFor({ timeout: 30_000 });

    await page.getByRole('button', { name: 'Snapshot volume data' }).click();
    await page.getByLabel('Snapshot name').fill('data-snap');
    await page.getByRole('form', { name: 'Snapshot volume data' }).getByRole('button', { name: 'Snapshot' }).click();
    await page.locator('tr[data-snapshot="data-snap"] .badge', { hasText: 'available' }).waitFor({ timeout: 30_000 });
    await page.getByLabel('Volume name').fill('restored');
    await page.getByLabel('Size (GiB)').fill('2');
    await page.locator('select[name=kind]').selectOption('snapshot');
    await page.getByLabel('Source snapshot').selectOption({ label: 'data-snap' });
    await page.getByRole('button', { name: 'Create volume' }).click();
    await volumeStatus('restored', 'available');

    await page.getByRole('button', { name: 'Attach volume data' }).click();
    await page.getByLabel('Instance').selectOption({ label: 'vm-vol' });
    await page.getByRole('form', { name: 'Attach volume data' }).getByRole('button', { name: 'Attach' }).click();
    await volumeStatus('data', 'in-use');
    await page.locator('tr[data-volume="data"] td', { hasText: /^vm-vol/ }).waitFor();
    t.diagnostic(await shots.shot(page, 'volumes-attached'));
    assert.equal(await page.getByRole('button', { name: 'Delete volume data' }).count(), 0, 'an attached volume offers no delete');
    await page.getByRole('button', { name: 'Detach volume data' }).click();
    await volumeStatus('data', 'available');

    await page.getByRole('button', { name: 'Delete snapshot data-snap' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.locator('tr[data-snapshot="data-snap"]').waitFor({ state: 'detached', timeout: 30_000 });
    for (const name of ['data', 'boot', 'restored']) {
      await page.getByRole('button', { name: `Delete volume ${name}` }).click();
      if (name === 'data') t.diagnostic(await shots.shot(page, 'volumes-confirm-delete'));
      await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
      await page.locator(`tr[data-volume="${name}"]`).waitFor({ state: 'detached', timeout: 30_000 });
    }
    await page.getByText('No volumes in this project.').waitFor();
    assert.equal(await page.evaluate('window.notReloaded === true'), true, 'every status showed up without a reload');
  });

  test('network: a network and subnet, a router with its gateway and interface, a security group rule, a floating IP', async (t) => {
    const created = await cloud.compute('POST', '/servers', { as: 'demo', body: { server: { name: 'vm-net', imageRef: cloud.imageId, flavorRef: '1' } } });
    assert.equal(created.status, 202, JSON.stringify(created.json));
    const serverId = String((created.json['server'] as { id: string }).id);
    // Gone even when the test fails: the later tests count the project's instances.
    t.after(async () => assert.equal((await cloud.compute('DELETE', `/servers/${serverId}`, { as: 'demo' })).status, 204));
    await cloud.waitForStatus(serverId, 'ACTIVE', 'demo');

    await page.getByRole('link', { name: 'Networks' }).click();
    await page.locator('tr[data-network="public"] td:nth-child(5)', { hasText: 'yes' }).waitFor();
    await page.getByLabel('Network name').fill('web-net');
    await page.getByRole('button', { name: 'Create network' }).click();
    await page.locator('tr[data-network="web-net"]').waitFor();
    await page.getByRole('form', { name: 'Create a subnet' }).getByLabel('Network').selectOption({ label: 'web-net' });
    await page.getByLabel('Subnet name').fill('web-sub');
    await page.getByLabel('CIDR').fill('10.20.0.0/24');
    await page.getByRole('button', { name: 'Create subnet' }).click();
    await page.locator('tr[data-network="web-net"] li[data-subnet="web-sub"]', { hasText: '10.20.0.0/24, gateway 10.20.0.1' }).waitFor();
    t.diagnostic(await shots.shot(page, 'network-networks'));

    await page.getByRole('tab', { name: 'Routers' }).click();
    await page.getByLabel('Router name').fill('web-router');
    await page.getByRole('form', { name: 'Create a router' }).getByLabel('External gateway').selectOption({ label: 'public' });
    await page.getByRole('button', { name: 'Create router' }).click();
    await page.getByLabel('Subnet for web-router').selectOption({ label: 'web-sub (10.20.0.0/24)' });
    await page.getByRole('form', { name: 'Add an interface to web-router' }).getByRole('button', { name: 'Add interface' }).click();
    await page.getByRole('button', { name: 'Remove interface web-sub (10.20.0.0/24) from web-router' }).waitFor();
    assert.equal(await page.getByLabel('External gateway of web-router').inputValue() !== '', true, 'the gateway is set');
    t.diagnostic(await shots.shot(page, 'network-routers'));
    await page.getByRole('button', { name: 'Remove interface web-sub (10.20.0.0/24) from web-router' }).click();
    await page.getByRole('button', { name: 'Remove interface web-sub (10.20.0.0/24) from web-router' }).waitFor({ state: 'detached' });
    await page.getByLabel('External gateway of web-router').selectOption('');
    await page.waitForFunction(`document.querySelector('tr[data-router="web-router"] select')?.value === ''`);
    await page.getByRole('button', { name: 'Delete router web-router' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.locator('tr[data-router="web-router"]').waitFor({ state: 'detached' });

    await page.getByRole('tab', { name: 'Security groups' }).click();
    await page.getByLabel('Security group name').fill('web');
    await page.getByRole('button', { name: 'Create security group' }).click();
    const web = page.getByRole('form', { name: 'Add a rule to web' });
    await web.getByLabel('Ports').fill('70000');
    await web.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('alert').filter({ hasText: '70000 is not a port or a range of ports (1-65535).' }).waitFor();
    await web.getByLabel('Ports').fill('80');
    await web.getByLabel('Remote CIDR').fill('0.0.0.0/0');
    await web.getByRole('button', { name: 'Add rule' }).click();
    const rule = page.locator('article[data-security-group="web"] li[data-rule="ingress tcp 80 from 0.0.0.0/0"]');
    await rule.waitFor();
    t.diagnostic(await shots.shot(page, 'network-security-groups'));
    await page.getByRole('button', { name: 'Remove rule ingress tcp 80 from 0.0.0.0/0 from web' }).click();
    await rule.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Delete security group web' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.locator('article[data-security-group="web"]').waitFor({ state: 'detached' });

    await page.getByRole('tab', { name: 'Floating IPs' }).click();
    await page.getByLabel('Pool').selectOption({ label: 'public' });
    await page.getByRole('button', { name: 'Allocate IP' }).click();
    const row = page.locator('tr[data-floating-ip]');
    await row.waitFor();
    const address = (await row.getAttribute('data-floating-ip')) ?? '';
    const port = await page.getByLabel(`Port for ${address}`).locator('option', { hasText: 'vm-net: ' }).getAttribute('value');
    await page.getByLabel(`Port for ${address}`).selectOption(port ?? '');
    await page.getByRole('form', { name: `Associate ${address}` }).getByRole('button', { name: 'Associate' }).click();
    await page.getByRole('button', { name: `Disassociate ${address}` }).waitFor();
    assert.match(await row.innerText(), /vm-net: \d+\.\d+\.\d+\.\d+/);
    t.diagnostic(await shots.shot(page, 'network-floating-ips'));
    await page.getByRole('button', { name: `Disassociate ${address}` }).click();
    await page.getByRole('form', { name: `Associate ${address}` }).waitFor();
    await page.getByRole('button', { name: `Release ${address}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Release' }).click();
    await page.getByText('No floating IPs in this project.').waitFor();

    await page.getByRole('tab', { name: 'Networks and subnets' }).click();
    await page.getByRole('button', { name: 'Delete subnet web-sub' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.locator('li[data-subnet="web-sub"]').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Delete network web-net' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.locator('tr[data-network="web-net"]').waitFor({ state: 'detached' });
  });

  test("lazy pages open again from their loaded chunk; a network API's refusal shows Neutron's own message", async () => {
    await page.getByRole('link', { name: 'Volumes' }).click();
    await page.getByText('No volumes in this project.').waitFor();
    await page.getByRole('link', { name: 'Networks' }).click();
    await page.getByRole('tab', { name: 'Networks and subnets' }).click();
    await page.getByRole('form', { name: 'Create a subnet' }).getByLabel('Network').selectOption({ label: 'private' });
    await page.getByLabel('CIDR').fill('10.0.0.0/33');
    await page.getByRole('button', { name: 'Create subnet' }).click();
    await page.getByRole('alert').filter({ hasText: "'10.0.0.0/33' isn't a recognized IP subnet cidr" }).waitFor();
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
