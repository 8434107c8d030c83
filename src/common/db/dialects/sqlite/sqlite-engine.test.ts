import { engineSkipReason, openTestDatabase } from '../../../../../test/support/databases.js';
import { describeDatabaseEngineContract } from '../../engine.contract.js';

describeDatabaseEngineContract('sqlite', () => openTestDatabase('sqlite'), { unavailable: await engineSkipReason('sqlite') });
