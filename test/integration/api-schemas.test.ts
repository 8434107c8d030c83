import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { API_SERVICE_NAMES } from '../../src/cli/presets/api-services.js';
import { startCloudNode, type CloudNode } from '../../src/cli/runtime/cloud-node.js';
import { loadConfig } from '../../src/common/config/load.js';
import { compileAllValidators } from '../../src/common/http/validation.js';
import { configureLogging } from '../../src/common/logging/logger.js';
import { TempDirs } from '../support/temp-dirs.js';

// Validators compile on first use, so a schema ajv's strict mode rejects would otherwise surface
// only when some request first reaches it: here every one of every service is compiled.
configureLogging({ sink: () => undefined });
let node: CloudNode | undefined;
const tempDirs = new TempDirs();
after(async () => {
  await node?.stop();
  tempDirs.removeAll();
});

test('every route and microversion schema of every service compiles', async () => {
  const config = loadConfig({ env: { NIMBUS_STATE_DIR: tempDirs.make('nimbus-schemas-'), NIMBUS_API_PORT: '0' } });
  node = await startCloudNode(config, { command: 'up', services: API_SERVICE_NAMES, migrate: true, computeHosts: [] });
  assert.doesNotThrow(() => compileAllValidators());
});
