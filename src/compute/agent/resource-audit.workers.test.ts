/**
 * The agent's periodic resource audit (update_available_resource) on the workers: what changed is
 * reported at once, an unchanged report only every tenth audit.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configureLogging } from '../../common/logging/logger.js';
import { build, eventually, newServer, tables, waitFor, withCloud, type Cloud } from '../testing/worker-cloud.js';

configureLogging({ sink: () => undefined });

async function vcpusUsed(cloud: Cloud): Promise<number> {
  const row = await tables(cloud.db).selectFrom('compute_nodes').select('vcpus_used').where('host', '=', 'compute-1').executeTakeFirstOrThrow();
  return row.vcpus_used;
}

/** A value the agent never reported, as if another writer had changed the row. */
async function overwrite(cloud: Cloud): Promise<void> {
  await tables(cloud.db).updateTable('compute_nodes').set({ vcpus_used: 7 }).where('host', '=', 'compute-1').execute();
}

test('an audit reports a change at once, and an unchanged host only every tenth time', () =>
  withCloud(1, async (cloud) => {
    const agent = cloud.workers.agents[0];
    assert.ok(agent);
    assert.equal(await vcpusUsed(cloud), 0, 'the start reports');
    await overwrite(cloud);
    for (let audit = 1; audit <= 9; audit += 1) await agent.auditResources();
    assert.equal(await vcpusUsed(cloud), 7, 'nothing changed on the host: nothing sent');

    const { uuid, context } = await newServer(cloud.db);
    await build(cloud, uuid, context);
    await waitFor(cloud.db, uuid, 'active');
    // The build reports its guest itself, just after it went ACTIVE; an audit racing it would prove nothing.
    await eventually(async () => assert.equal(await vcpusUsed(cloud), 1, 'the build reports its guest'));

    await overwrite(cloud);
    for (let audit = 1; audit <= 9; audit += 1) await agent.auditResources();
    assert.equal(await vcpusUsed(cloud), 7);
    await agent.auditResources();
    assert.equal(await vcpusUsed(cloud), 1, 'the tenth unchanged audit reports again');

    cloud.driver('compute-1').loseGuest(uuid);
    await agent.auditResources();
    assert.equal(await vcpusUsed(cloud), 0, 'a change on the host: reported at the next audit');
  }));
