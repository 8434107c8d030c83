import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { buildHttpApp } from '../../common/http/app.js';
import { dashboardSite } from './dashboard-site.js';

function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-dashboard-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Nimbus dashboard</title>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets', 'index-abc123.css'), 'body{}');
  return dir;
}

describe('dashboard site', () => {
  const dir = fakeBuild();
  const app = buildHttpApp({ services: [], sites: [dashboardSite(dir)], maxBodyBytes: 1024 });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the root and the bare prefix redirect to /dashboard/', async () => {
    for (const url of ['/', '/dashboard']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 302, url);
      assert.equal(response.headers.location, '/dashboard/');
    }
  });

  test('the page is HTML that browsers revalidate', async () => {
    const response = await app.inject({ url: '/dashboard/' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(response.headers['cache-control'], 'no-cache');
    assert.match(response.body, /Nimbus dashboard/);
  });

  test('hashed bundle files have their content types and are cached for good', async () => {
    const js = await app.inject({ url: '/dashboard/assets/index-abc123.js' });
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(js.body, 'console.log(1)');
    const css = await app.inject({ url: '/dashboard/assets/index-abc123.css' });
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
  });

  test('text files go gzipped to browsers that accept it', async () => {
    const response = await app.inject({ url: '/dashboard/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(response.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(response.rawPayload).toString(), 'console.log(1)');
    assert.equal(response.headers.vary, 'accept-encoding');
  });

  test('a missing bundle file is 404, not the page', async () => {
    const response = await app.inject({ url: '/dashboard/assets/gone.js' });
    assert.equal(response.statusCode, 404);
  });

  test('paths outside the build are not served', async () => {
    const response = await app.inject({ url: '/dashboard/../../etc/passwd' });
    assert.notEqual(response.body, '');
    assert.doesNotMatch(response.body, /root:/);
  });
});

test('an unbuilt dashboard answers 503 saying how to build it', async () => {
  const app = buildHttpApp({ services: [], sites: [dashboardSite(join(tmpdir(), 'nimbus-no-such-build'))], maxBodyBytes: 1024 });
  try {
    const response = await app.inject({ url: '/dashboard/' });
    assert.equal(response.statusCode, 503);
    assert.match(response.body, /build-dashboard/);
  } finally {
    await app.close();
  }
});
