import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page, Request } from 'playwright-core';
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
  /** The page's API calls of the running test, newest last (method, path, status or how it failed, milliseconds). */
  const calls: string[] = [];
  /** The page's API calls still waiting for an answer, with when they were sent. */
  const inFlight = new Map<Request, number>();
  const describeCall = (request: Request) => `${request.method()} ${new URL(request.url()).pathname}`;

  /** A test whose failure also tells what the page showed and what its API calls did (CI keeps no screenshots). */
  const pageTest = (name: string, fn: (t: TestContext) => Promise<void>): void => {
    void test(name, async (t) => {
      calls.length = 0;
      try {
        await fn(t);
      } catch (error) {
        const alerts = await page.getByRole('alert').allInnerTexts().catch(() => []);
        const waiting = [...inFlight].map(([request, sent]) => `${describeCall(request)} for ${Math.round(performance.now() - sent)} ms`);
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`${message}\npage alerts: ${JSON.stringify(alerts)}\nlast API calls: ${JSON.stringify(calls.slice(-20))}\nunanswered: ${JSON.stringify(waiting)}`, { cause: error });
      }
    });
  };

  before(async () => {
    // Two hosts: the admin moves a member's server from one to the other.
    cloud = await startComputeCloud('dashboard', { hosts: 2 });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    page.on('request', (request) => {
      if (request.resourceType() === 'fetch') inFlight.set(request, performance.now());
    });
    const settled = (request: Request, outcome: string) => {
      const sent = inFlight.get(request);
      if (sent === undefined) return;
      inFlight.delete(request);
      calls.push(`${describeCall(request)} ${outcome} ${Math.round(performance.now() - sent)} ms`);
    };
    page.on('requestfinished', (request) => {
      void request.response().then((response) => settled(request, String(response?.status() ?? '?')));
    });
    page.on('requestfailed', (request) => settled(request, `failed (${request.failure()?.errorText ?? '?'})`));
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

  /** The id of the project or user named `name` (as the admin sees them). */
  async function identityId(collection: 'projects' | 'users' | 'roles', name: string): Promise<string> {
    const reply = await cloud.compute('GET', `/identity/v3/${collection}?name=${name}`);
    return (reply.json[collection] as { id: string }[])[0]?.id ?? '';
  }

  /** Polls `path` (as demo) until it answers 404: a server or volume deleted asynchronously is gone. */
  async function waitGone(path: string): Promise<void> {
    for (let attempt = 0; attempt < 300; attempt += 1) {
      if ((await cloud.compute('GET', path, { as: 'demo' })).status === 404) return;
      await sleep(100);
    }
    throw new Error(`${path} is still there`);
  }

  /** The status badge of a server's row in the instances table. */
  const rowStatus = (name: string) => page.locator(`tr[data-server="${name}"] .badge`);

  pageTest('the demo user logs in, launches, watches, pauses, uploads and deletes', async (t) => {
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

  pageTest("a launch over quota shows Nova's own message", async (t) => {
    await page.goto(`${cloud.url}/dashboard/#/instances/launch`);
    await page.getByLabel('Instance name').fill('many');
    await page.getByLabel('Count').fill('11');
    await page.getByRole('button', { name: 'Launch' }).click();
    await page.getByRole('alert').filter({ hasText: /Quota exceeded for instances/ }).waitFor();
    t.diagnostic(await shots.shot(page, 'launch-over-quota'));
  });

  pageTest("key pairs: a generated one shows its private key once; a bad public key shows Nova's message", async (t) => {
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

  pageTest("a member sees no admin pages; opening one is told it is not allowed, with the API's refusal", async (t) => {
    assert.equal(await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: /^Admin:/ }).count(), 0, 'no admin links for a member');
    await page.goto(`${cloud.url}/dashboard/#/admin/hypervisors`);
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    t.diagnostic(await shots.shot(page, 'member-admin-not-allowed'));
    // Every project's instances: Nova's own 403 (all_tenants is an admin's filter) is shown.
    await page.goto(`${cloud.url}/dashboard/#/admin/instances`);
    await page.getByRole('heading', { name: 'All instances' }).waitFor();
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    await page.getByText(/^The API said: Policy doesn't allow os_compute_api:servers:detail:get_all_tenants to be performed\.$/).waitFor();
    assert.equal(await page.locator('tbody tr').count(), 0, 'no rows of other projects');
    t.diagnostic(await shots.shot(page, 'member-admin-instances-refused'));
    // Keystone's own 403 on the identity page, and none of its controls.
    await page.goto(`${cloud.url}/dashboard/#/admin/identity`);
    await page.getByText(/^The API said: You are not authorized to perform the requested action: identity:list_projects/).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Create project' }).count(), 0);
  });

  pageTest('the overview charts volumes, gigabytes, floating IPs and security groups', async (t) => {
    await page.goto(`${cloud.url}/dashboard/#/overview`);
    for (const name of ['Volumes', 'Volume storage', 'Floating IPs', 'Security groups']) await page.getByRole('meter', { name, exact: true }).waitFor();
    // The demo project's default group (made with its network) counts, as `openstack quota show --usage` counts it.
    assert.equal(await page.getByRole('meter', { name: 'Security groups', exact: true }).getAttribute('aria-valuenow'), '1');
    assert.equal(await page.getByRole('meter', { name: 'Volumes', exact: true }).getAttribute('aria-valuenow'), '0');
    t.diagnostic(await shots.shot(page, 'overview-quotas'));
  });

  pageTest('volumes: create blank and from an image, extend, snapshot and a volume from it, attach, detach, delete', async (t) => {
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

  pageTest('volume backups: back up, incremental, restore into a new volume and into an existing one, delete', async (t) => {
    const project = await identityId('projects', 'demo');
    const volumes = `/volume/v3/${project}`;
    // Whatever the test made goes, even when it fails: backups first (newest first, incrementals before their parent), then volumes.
    t.after(async () => {
      const backups = ((await cloud.compute('GET', `${volumes}/backups/detail?sort=created_at:desc`, { as: 'demo' })).json['backups'] ?? []) as { id: string }[];
      for (const backup of backups) {
        await cloud.compute('DELETE', `${volumes}/backups/${backup.id}`, { as: 'demo' });
        await waitGone(`${volumes}/backups/${backup.id}`);
      }
      const left = ((await cloud.compute('GET', `${volumes}/volumes`, { as: 'demo' })).json['volumes'] ?? []) as { id: string }[];
      for (const volume of left) await cloud.compute('DELETE', `${volumes}/volumes/${volume.id}`, { as: 'demo' });
    });
    const volumeStatus = async (name: string, status: string) => {
      try {
        await page.locator(`tr[data-volume="${name}"] .badge`, { hasText: new RegExp(`^${status}$`) }).waitFor({ timeout: 30_000 });
      } catch (err) {
        t.diagnostic(await shots.shot(page, `volume-${name}-not-${status}`));
        throw err;
      }
    };
    const backupStatus = (name: string, status: string) =>
      page.locator(`tr[data-backup="${name}"] .badge`, { hasText: new RegExp(`^${status}$`) }).waitFor({ timeout: 30_000 });

    await page.getByRole('link', { name: 'Volumes' }).click();
    await page.getByText('No volume backups in this project.').waitFor();
    await page.evaluate('window.notReloaded = true');
    for (const name of ['source', 'target']) {
      await page.getByLabel('Volume name').fill(name);
      // The form keeps what the last test chose (a snapshot source, 2 GiB).
      await page.getByLabel('Size (GiB)').fill('1');
      await page.locator('select[name=kind]').selectOption('blank');
      await page.getByRole('button', { name: 'Create volume' }).click();
      await volumeStatus(name, 'available');
    }

    await page.getByRole('button', { name: 'Back up volume source' }).click();
    const backUp = page.getByRole('form', { name: 'Back up volume source' });
    await backUp.getByLabel('Backup name').fill('nightly');
    await backUp.getByRole('button', { name: 'Back up' }).click();
    await backupStatus('nightly', 'available');
    await volumeStatus('source', 'available');
    await page.getByRole('button', { name: 'Back up volume source' }).click();
    await backUp.getByLabel('Backup name').fill('nightly-incr');
    await backUp.getByLabel('Incremental (changes since the last backup)').check();
    await backUp.getByRole('button', { name: 'Back up' }).click();
    await backupStatus('nightly-incr', 'available');
    assert.match(await page.locator('tr[data-backup="nightly-incr"]').innerText(), /incremental/);
    assert.equal(await page.getByRole('button', { name: 'Delete backup nightly', exact: true }).count(), 0, 'a backup an incremental depends on offers no delete');
    t.diagnostic(await shots.shot(page, 'volume-backups'));

    // Into a new volume Cinder makes, under the name given.
    await page.getByRole('button', { name: 'Restore backup nightly', exact: true }).click();
    const restore = page.getByRole('form', { name: 'Restore backup nightly' });
    await restore.getByLabel('New volume name').fill('restored-new');
    t.diagnostic(await shots.shot(page, 'volume-backup-restore'));
    await restore.getByRole('button', { name: 'Restore' }).click();
    await volumeStatus('restored-new', 'available');
    await backupStatus('nightly', 'available');

    // Into the existing volume `target`: Cinder's answer names it.
    const targetId = ((await cloud.compute('GET', `${volumes}/volumes?name=target`, { as: 'demo' })).json['volumes'] as { id: string }[])[0]?.id ?? '';
    await page.getByRole('button', { name: 'Restore backup nightly', exact: true }).click();
    await restore.getByLabel('Restore into').selectOption({ label: 'target (1 GiB)' });
    assert.equal(await restore.getByLabel('New volume name').count(), 0, 'no name for an existing volume');
    const answered = page.waitForResponse((response) => response.url().endsWith('/restore') && response.request().method() === 'POST');
    await restore.getByRole('button', { name: 'Restore' }).click();
    const reply = await answered;
    assert.equal(reply.status(), 202);
    assert.equal(((await reply.json()) as { restore: { volume_id: string } }).restore.volume_id, targetId);
    await backupStatus('nightly', 'available');
    await volumeStatus('target', 'available');

    // The incremental first; then its parent may go.
    await page.getByRole('button', { name: 'Delete backup nightly-incr' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.locator('tr[data-backup="nightly-incr"]').waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByRole('button', { name: 'Delete backup nightly', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No volume backups in this project.').waitFor({ timeout: 30_000 });
    assert.equal(await page.evaluate('window.notReloaded === true'), true, 'every status showed up without a reload');
  });

  pageTest('network: a network and subnet, a router with its gateway and interface, a security group rule, a floating IP', async (t) => {
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

  pageTest('the topology shows a router between two networks and a server on one of them', async (t) => {
    const neutron = async (method: string, path: string, body?: unknown) => {
      const reply = await cloud.compute(method, `/network/v2.0${path}`, { as: 'demo', ...(body === undefined ? {} : { body }) });
      assert.ok(reply.status < 300, `${method} ${path}: ${reply.status} ${JSON.stringify(reply.json)}`);
      return reply.json;
    };
    const made: { server?: string; router?: string; subnets: string[]; networks: string[] } = { subnets: [], networks: [] };
    // Gone even when the test fails, in the order Neutron allows: the server's port, the router's interfaces, then the networks.
    t.after(async () => {
      if (made.server !== undefined) {
        await cloud.compute('DELETE', `/servers/${made.server}`, { as: 'demo' });
        await waitGone(`/servers/${made.server}`);
      }
      if (made.router !== undefined) {
        for (const subnet of made.subnets) await cloud.compute('PUT', `/network/v2.0/routers/${made.router}/remove_router_interface`, { as: 'demo', body: { subnet_id: subnet } });
        await cloud.compute('DELETE', `/network/v2.0/routers/${made.router}`, { as: 'demo' });
      }
      for (const network of made.networks) assert.equal((await cloud.compute('DELETE', `/network/v2.0/networks/${network}`, { as: 'demo' })).status, 204);
    });
    const router = (await neutron('POST', '/routers', { router: { name: 'topo-router' } }))['router'] as { id: string };
    made.router = router.id;
    for (const [name, cidr] of [
      ['topo-a', '10.31.0.0/24'],
      ['topo-b', '10.32.0.0/24'],
    ] as const) {
      const network = (await neutron('POST', '/networks', { network: { name } }))['network'] as { id: string };
      made.networks.push(network.id);
      const subnet = (await neutron('POST', '/subnets', { subnet: { network_id: network.id, name: `${name}-sub`, cidr, ip_version: 4 } }))['subnet'] as { id: string };
      made.subnets.push(subnet.id);
      await neutron('PUT', `/routers/${router.id}/add_router_interface`, { subnet_id: subnet.id });
    }
    const created = await cloud.compute('POST', '/servers', {
      as: 'demo',
      body: { server: { name: 'topo-vm', imageRef: cloud.imageId, flavorRef: '1', networks: [{ uuid: made.networks[0] }] } },
    });
    assert.equal(created.status, 202, JSON.stringify(created.json));
    made.server = String((created.json['server'] as { id: string }).id);
    await cloud.waitForStatus(made.server, 'ACTIVE', 'demo');

    await page.getByRole('link', { name: 'Networks' }).click();
    await page.getByRole('tab', { name: 'Topology' }).click();
    await page.getByRole('img', { name: 'Network topology' }).waitFor();
    const routerBox = page.locator('svg g[data-device="router topo-router"]');
    await routerBox.waitFor();
    for (const network of ['topo-a', 'topo-b']) {
      await page.locator(`svg g[data-network="${network}"]`).waitFor();
      await routerBox.locator(`g[data-link="${network}"]`).waitFor();
    }
    // Its interfaces in the order Neutron lists the ports.
    const routerText = await page.locator('li[data-device="router topo-router"]').innerText();
    assert.deepEqual(routerText.replace('router topo-router: ', '').split(', ').sort(), ['topo-a 10.31.0.1', 'topo-b 10.32.0.1']);
    // The server is linked to its network only, at the address Neutron gave its port.
    const server = page.locator('li[data-device="server topo-vm"]');
    await server.waitFor();
    assert.match(await server.innerText(), /^server topo-vm: topo-a 10\.31\.0\.\d+$/);
    const serverLinks = page.locator('svg g[data-device="server topo-vm"] g[data-link]');
    assert.equal(await serverLinks.count(), 1);
    assert.equal(await serverLinks.getAttribute('data-link'), 'topo-a');
    t.diagnostic(await shots.shot(page, 'network-topology'));
    // A server's box opens its page.
    await page.locator('svg g[data-device="server topo-vm"] a').click();
    await page.getByRole('heading', { name: 'topo-vm' }).waitFor();
  });

  pageTest("lazy pages open again from their loaded chunk; a network API's refusal shows Neutron's own message", async () => {
    await page.getByRole('link', { name: 'Volumes' }).click();
    await page.getByText('No volumes in this project.').waitFor();
    await page.getByRole('link', { name: 'Networks' }).click();
    await page.getByRole('tab', { name: 'Networks and subnets' }).click();
    await page.getByRole('form', { name: 'Create a subnet' }).getByLabel('Network').selectOption({ label: 'private' });
    await page.getByLabel('CIDR').fill('10.0.0.0/33');
    await page.getByRole('button', { name: 'Create subnet' }).click();
    await page.getByRole('alert').filter({ hasText: "'10.0.0.0/33' isn't a recognized IP subnet cidr" }).waitFor();
  });

  pageTest('at 390 px wide the menu folds away and the pages still work', async (t) => {
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

  pageTest('log out revokes the token and shows the login form again', async () => {
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

  pageTest('a token revoked elsewhere sends the page back to the login form', async () => {
    await logIn('demo');
    const token = await page.evaluate<string>(`JSON.parse(sessionStorage.getItem('nimbus-dashboard-session')).token`);
    const revoked = await fetch(`${cloud.url}/identity/v3/auth/tokens`, { method: 'DELETE', headers: { 'x-auth-token': token, 'x-subject-token': token } });
    assert.equal(revoked.status, 204);
    await page.getByRole('link', { name: 'Instances' }).click();
    await page.getByRole('heading', { name: 'Log in to Nimbus' }).waitFor();
  });

  pageTest("the admin pages: hypervisors, services and agents, every project's volumes, networks and images, flavors, aggregates, identity", async (t) => {
    await logIn('admin');
    await page.goto(`${cloud.url}/dashboard/#/admin/hypervisors`);
    // The summary over both hosts, and a card each: figures read at Nova 2.87, where they still are.
    await page.getByRole('heading', { name: 'All 2 hypervisors' }).waitFor();
    assert.equal(await page.getByRole('meter', { name: 'vCPUs' }).count(), 3);
    assert.notEqual(await page.getByRole('meter', { name: 'vCPUs' }).first().getAttribute('aria-valuemax'), '0');
    t.diagnostic(await shots.shot(page, 'admin-hypervisors'));
    await page.goto(`${cloud.url}/dashboard/#/admin/services`);
    await page.locator('td', { hasText: 'nova-compute' }).first().waitFor();
    await page.locator('td', { hasText: 'cinder-volume' }).first().waitFor();
    await page.getByRole('heading', { name: 'Network agents' }).waitFor();
    t.diagnostic(await shots.shot(page, 'admin-services'));
    await page.goto(`${cloud.url}/dashboard/#/admin/networks`);
    // The demo project's network, with its project named.
    await page.locator('tr[data-network="private"] td', { hasText: /^demo$/ }).waitFor();
    t.diagnostic(await shots.shot(page, 'admin-networks'));
    await page.goto(`${cloud.url}/dashboard/#/admin/images`);
    await page.locator('tr[data-image="cirros"]').waitFor();
    await page.goto(`${cloud.url}/dashboard/#/admin/volumes`);
    await page.getByRole('heading', { name: 'All volumes' }).waitFor();
    await page.goto(`${cloud.url}/dashboard/#/admin/flavors`);
    await page.locator('td', { hasText: 'm1.tiny' }).waitFor();
    t.diagnostic(await shots.shot(page, 'admin-flavors'));
    await page.goto(`${cloud.url}/dashboard/#/admin/identity`);
    await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
    await page.locator('tr[data-assignment="demo member project demo"]').waitFor();
    t.diagnostic(await shots.shot(page, 'admin-projects-users'));

    // An aggregate made, given a host, emptied and deleted.
    await page.goto(`${cloud.url}/dashboard/#/admin/zones`);
    await page.locator('tr[data-zone="nova"]').waitFor();
    await page.getByLabel('Aggregate name').fill('rack1');
    await page.getByRole('button', { name: 'Create aggregate' }).click();
    // An option's text is its host (Preact sets `value` as a property, which getAttribute does not read).
    const host = ((await page.getByLabel('Host for rack1').locator('option').first().textContent()) ?? '').trim();
    await page.getByRole('form', { name: 'Add a host to rack1' }).getByRole('button', { name: 'Add host' }).click();
    await page.getByRole('button', { name: `Remove ${host} from rack1` }).waitFor();
    t.diagnostic(await shots.shot(page, 'admin-aggregates'));
    await page.getByRole('button', { name: `Remove ${host} from rack1` }).click();
    await page.getByRole('button', { name: `Remove ${host} from rack1` }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Delete aggregate rack1' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No host aggregates.').waitFor();
  });

  pageTest('the admin creates, edits and deletes a project and a user, and grants and revokes a role, on the Identity page', async (t) => {
    t.after(async () => {
      // Whatever the test left, by the API: the user, then the project.
      for (const [collection, name] of [['users', 'alice'], ['projects', 'lab']] as const) {
        const left = await identityId(collection, name);
        if (left !== '') await cloud.compute('DELETE', `/identity/v3/${collection}/${left}`);
      }
    });
    const dialog = page.getByRole('dialog');
    await page.getByRole('link', { name: 'Admin: Projects and users' }).click();
    await page.getByRole('button', { name: 'Create project' }).click();
    await dialog.getByLabel('Project name').fill('lab');
    await dialog.getByLabel('Description').fill('Teaching lab');
    await dialog.getByRole('button', { name: 'Create project' }).click();
    const projectRow = page.locator('tr[data-project="lab"]');
    await projectRow.getByText('Teaching lab').waitFor();
    const labId = await identityId('projects', 'lab');
    const project = async () => (await cloud.compute('GET', `/identity/v3/projects/${labId}`)).json['project'] as Record<string, unknown>;
    assert.deepEqual([(await project())['description'], (await project())['enabled']], ['Teaching lab', true]);

    // Edited: the dialog starts from what Keystone has.
    await page.getByRole('button', { name: 'Edit project lab' }).click();
    assert.equal(await dialog.getByLabel('Description').inputValue(), 'Teaching lab');
    await dialog.getByLabel('Description').fill('Closed for the term');
    await dialog.getByLabel('Enabled').uncheck();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await projectRow.locator('.badge[data-status="disabled"]').waitFor();
    await projectRow.getByText('Closed for the term').waitFor();
    assert.deepEqual([(await project())['description'], (await project())['enabled']], ['Closed for the term', false]);

    // A user with an email, a password and lab as default project; the password then authenticates.
    await page.getByRole('button', { name: 'Create user' }).click();
    await dialog.getByLabel('User name').fill('alice');
    await dialog.getByLabel('Email').fill('alice@example.org');
    await dialog.getByLabel('Password').fill('alice-secret-1');
    await dialog.getByLabel('Default project').selectOption({ label: 'lab' });
    t.diagnostic(await shots.shot(page, 'admin-create-user'));
    await dialog.getByRole('button', { name: 'Create user' }).click();
    const userRow = page.locator('tr[data-user="alice"]');
    await userRow.getByText('alice@example.org').waitFor();
    await userRow.locator('td', { hasText: /^lab$/ }).waitFor();
    const aliceId = await identityId('users', 'alice');
    const user = async () => (await cloud.compute('GET', `/identity/v3/users/${aliceId}`)).json['user'] as Record<string, unknown>;
    assert.deepEqual([(await user())['email'], (await user())['default_project_id'], (await user())['enabled']], ['alice@example.org', labId, true]);
    const auth = { auth: { identity: { methods: ['password'], password: { user: { id: aliceId, password: 'alice-secret-1' } } } } };
    const token = await fetch(`${cloud.url}/identity/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(auth) });
    assert.equal(token.status, 201, 'the password set in the dialog authenticates');

    await page.getByRole('button', { name: 'Edit user alice' }).click();
    await dialog.getByLabel('Email').fill('alice@lab.example.org');
    await dialog.getByLabel('Enabled').uncheck();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await userRow.getByText('alice@lab.example.org').waitFor();
    await userRow.locator('.badge[data-status="disabled"]').waitFor();
    assert.deepEqual([(await user())['email'], (await user())['enabled']], ['alice@lab.example.org', false]);

    // A role granted on the project, then revoked after a confirmation.
    const grant = page.getByRole('form', { name: 'Grant a role' });
    await grant.getByLabel('User').selectOption({ label: 'alice' });
    await grant.getByLabel('Role').selectOption({ label: 'member' });
    await grant.getByLabel('On project').selectOption({ label: 'lab' });
    await grant.getByRole('button', { name: 'Grant role' }).click();
    const assignment = page.locator('tr[data-assignment="alice member project lab"]');
    await assignment.waitFor();
    t.diagnostic(await shots.shot(page, 'admin-identity-granted'));
    const roles = async () =>
      ((await cloud.compute('GET', `/identity/v3/role_assignments?user.id=${aliceId}&scope.project.id=${labId}&include_names=true`)).json['role_assignments'] as { role: { name: string } }[]).map(
        (a) => a.role.name,
      );
    assert.deepEqual(await roles(), ['member']);
    await page.getByRole('button', { name: 'Revoke alice member project lab' }).click();
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await assignment.waitFor({ state: 'detached' });
    assert.deepEqual(await roles(), []);

    // Deleted, each after a confirmation.
    await page.getByRole('button', { name: 'Delete user alice' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await userRow.waitFor({ state: 'detached' });
    assert.equal((await cloud.compute('GET', `/identity/v3/users/${aliceId}`)).status, 404);
    await page.getByRole('button', { name: 'Delete project lab' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await projectRow.waitFor({ state: 'detached' });
    assert.equal((await cloud.compute('GET', `/identity/v3/projects/${labId}`)).status, 404);
  });

  pageTest("the admin sees a member's server on All instances with its project and host, and moves it live and cold", async (t) => {
    const created = await cloud.compute('POST', '/servers', { as: 'demo', body: { server: { name: 'member-vm', imageRef: cloud.imageId, flavorRef: '1' } } });
    assert.equal(created.status, 202, JSON.stringify(created.json));
    const serverId = String((created.json['server'] as { id: string }).id);
    t.after(async () => {
      await cloud.compute('DELETE', `/servers/${serverId}`, { as: 'demo' });
      await waitGone(`/servers/${serverId}`);
    });
    const first = (await cloud.waitForStatus(serverId, 'ACTIVE', 'admin'))['OS-EXT-SRV-ATTR:host'] as string;

    await page.getByRole('link', { name: 'Admin: All instances' }).click();
    const row = page.locator('tr[data-server="member-vm"]');
    await row.locator('td', { hasText: /^demo$/ }).waitFor();
    await row.locator(`td[data-host="${first}"]`).waitFor();
    t.diagnostic(await shots.shot(page, 'admin-all-instances'));
    const hostFor = page.getByLabel('Target host for member-vm');
    // The other host: the only one offered besides the scheduler's choice.
    await hostFor.locator('option').nth(1).waitFor({ state: 'attached' });
    const second = ((await hostFor.locator('option').nth(1).textContent()) ?? '').trim();
    assert.notEqual(second, first);
    await hostFor.selectOption(second);
    await page.getByRole('button', { name: 'Live migrate member-vm' }).click();
    await row.locator(`td[data-host="${second}"]`).waitFor({ timeout: 30_000 });
    await row.locator('.badge', { hasText: /^ACTIVE$/ }).waitFor({ timeout: 30_000 });

    // A cold migration back, confirmed as Nova asks.
    await page.getByRole('button', { name: 'Migrate member-vm', exact: true }).click();
    await page.getByRole('button', { name: 'Confirm migration member-vm' }).click({ timeout: 30_000 });
    await row.locator(`td[data-host="${first}"]`).waitFor({ timeout: 30_000 });
    await row.locator('.badge', { hasText: /^ACTIVE$/ }).waitFor({ timeout: 30_000 });
    t.diagnostic(await shots.shot(page, 'admin-instance-migrated'));
  });

  pageTest("the admin follows a launch's request through API, conductor, scheduler and agent on its timeline page", async (t) => {
    const created = await cloud.compute('POST', '/servers', { body: { server: { name: 'traced', imageRef: cloud.imageId, flavorRef: '1' } } });
    assert.equal(created.status, 202, JSON.stringify(created.json));
    const id = String((created.json['server'] as { id: string }).id);
    await cloud.waitForStatus(id, 'ACTIVE');
    const requestId = created.headers.get('x-openstack-request-id') ?? '';
    const timeline = await cloud.compute('GET', `/nimbus/request-timelines/${requestId}`);
    assert.equal(timeline.status, 200);
    const steps = (timeline.json['request_timeline'] as { steps: { service: string; step: string; result: string | null }[] }).steps;
    // The conductor's step and the scheduler's inside it may be recorded in either order.
    const trail = steps.map((step) => [step.service, step.step, step.result]);
    assert.deepEqual(trail[0], ['nova-api', 'POST /servers', 'Success']);
    assert.deepEqual(trail.slice(1, 3).sort(), [['nova-conductor', 'schedule_instances', 'Success'], ['nova-scheduler', 'select_destinations', 'Success']]);
    assert.deepEqual(trail.slice(3), [['nova-compute', 'compute__do_build_and_run_instance', 'Success']]);

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

  /** The compute services by host, as Nova shows them from 2.53 (uuid ids, forced_down). */
  async function computeServices(): Promise<Map<string, { id: string; status: string; state: string; disabled_reason: string | null; forced_down: boolean }>> {
    const reply = await cloud.compute('GET', '/os-services?binary=nova-compute', { microversion: '2.53' });
    const services = reply.json['services'] as { id: string; host: string; status: string; state: string; disabled_reason: string | null; forced_down: boolean }[];
    return new Map(services.map((s) => [s.host, s]));
  }

  // The last of the admin's tests: the host forced down stays down, as Nova keeps it until its compute service restarts.
  pageTest('the admin disables a host with a reason, forces another down and evacuates its servers from All instances and from Services', async (t) => {
    const [first = '', second = ''] = [...(await computeServices()).keys()].sort();
    const serverIds: string[] = [];
    t.after(async () => {
      for (const id of serverIds) {
        await cloud.compute('DELETE', `/servers/${id}`, { as: 'demo' });
        await waitGone(`/servers/${id}`);
      }
    });
    const dialog = page.getByRole('dialog');
    const serviceRow = (host: string) => page.locator(`tr[data-service="nova-compute@${host}"]`);

    // The second host disabled with a reason: the two servers made next land on the first.
    await page.getByRole('link', { name: 'Admin: Services' }).click();
    await page.getByRole('button', { name: `Disable nova-compute on ${second}` }).click();
    await dialog.getByLabel('Reason (optional)').fill('rack maintenance');
    t.diagnostic(await shots.shot(page, 'admin-service-disable'));
    await dialog.getByRole('button', { name: 'Disable' }).click();
    await serviceRow(second).getByText('(rack maintenance)').waitFor();
    assert.deepEqual([(await computeServices()).get(second)?.status, (await computeServices()).get(second)?.disabled_reason], ['disabled', 'rack maintenance']);
    for (const name of ['evac-a', 'evac-b']) {
      const created = await cloud.compute('POST', '/servers', { as: 'demo', body: { server: { name, imageRef: cloud.imageId, flavorRef: '1' } } });
      assert.equal(created.status, 202, JSON.stringify(created.json));
      serverIds.push(String((created.json['server'] as { id: string }).id));
    }
    for (const id of serverIds) assert.equal((await cloud.waitForStatus(id, 'ACTIVE', 'admin'))['OS-EXT-SRV-ATTR:host'], first);
    await page.getByRole('button', { name: `Enable nova-compute on ${second}` }).click();
    await serviceRow(second).locator('.badge[data-status="enabled"]').waitFor();
    assert.equal((await computeServices()).get(second)?.status, 'enabled');

    // The first host forced down, after a confirmation.
    await page.getByRole('button', { name: `Force down nova-compute on ${first}` }).click();
    await dialog.getByRole('button', { name: 'Force down' }).click();
    await serviceRow(first).locator('.badge[data-status="down"]').waitFor();
    assert.deepEqual([(await computeServices()).get(first)?.forced_down, (await computeServices()).get(first)?.state], [true, 'down']);

    // One server evacuated from All instances to a chosen host.
    await page.getByRole('link', { name: 'Admin: All instances' }).click();
    await page.getByRole('button', { name: 'Evacuate evac-a' }).click();
    await dialog.getByLabel('Target host').selectOption(second);
    t.diagnostic(await shots.shot(page, 'admin-evacuate-server'));
    await dialog.getByRole('button', { name: 'Evacuate' }).click();
    const evacuated = page.locator('tr[data-server="evac-a"]');
    await evacuated.locator(`td[data-host="${second}"]`).waitFor({ timeout: 30_000 });
    await evacuated.locator('.badge', { hasText: /^ACTIVE$/ }).waitFor({ timeout: 30_000 });
    const [evacA = '', evacB = ''] = serverIds;
    assert.equal((await cloud.waitForStatus(evacA, 'ACTIVE', 'admin'))['OS-EXT-SRV-ATTR:host'], second);
    const actions = (await cloud.compute('GET', `/servers/${evacA}/os-instance-actions`)).json['instanceActions'] as { action: string }[];
    assert.ok(actions.some((a) => a.action === 'evacuate'), JSON.stringify(actions));

    // The rest of the down host (evac-b) evacuated from Services, the scheduler choosing.
    await page.getByRole('link', { name: 'Admin: Services' }).click();
    await page.getByRole('button', { name: `Evacuate host ${first}` }).click();
    await dialog.getByRole('button', { name: 'Evacuate' }).click();
    await dialog.waitFor({ state: 'detached' });
    for (let attempt = 0; ; attempt += 1) {
      const server = await cloud.waitForStatus(evacB, 'ACTIVE', 'admin');
      if (server['OS-EXT-SRV-ATTR:host'] === second) break;
      assert.ok(attempt < 300, `evac-b is still on ${String(server['OS-EXT-SRV-ATTR:host'])}`);
      await sleep(100);
    }

    // Nova keeps the host down while its evacuations wait for its compute service to restart; the page says so.
    await page.getByRole('button', { name: `Unset force down of nova-compute on ${first}` }).click();
    await page.getByRole('alert').getByText(/^Unable to force up host .* as `done` evacuation migration records remain/).waitFor();
    t.diagnostic(await shots.shot(page, 'admin-services-force-up-refused'));
    assert.equal((await computeServices()).get(first)?.forced_down, true);
  });

  pageTest('the project switcher rescopes to another project of the user and revokes the old token', async (t) => {
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
    await page.getByRole('link', { name: 'Instances', exact: true }).click();
    await page.getByRole('heading', { name: 'Instances' }).waitFor();
    await page.getByText('No instances in this project.').waitFor();
  });

  pageTest('a project with more instances than a page shows them a page at a time', async (t) => {
    const demoProject = ((await cloud.compute('GET', '/identity/v3/projects?name=demo')).json['projects'] as { id: string }[])[0]?.id ?? '';
    const raised = await cloud.compute('PUT', `/os-quota-sets/${demoProject}`, { body: { quota_set: { instances: 60, cores: 60, ram: 60 * 512 } } });
    assert.equal(raised.status, 200);
    const booted = await cloud.compute('POST', '/servers', {
      as: 'demo',
      body: { server: { name: 'many', imageRef: cloud.imageId, flavorRef: '1', min_count: 51, max_count: 51 } },
    });
    assert.equal(booted.status, 202, JSON.stringify(booted.json));
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('link', { name: 'Instances', exact: true }).click();
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

