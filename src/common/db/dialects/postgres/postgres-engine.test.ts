import { engineSkipReason, openTestDatabase } from '../../../../../test/support/databases.js';
import { describeDatabaseEngineContract } from '../../engine.contract.js';

describeDatabaseEngineContract('postgres', () => openTestDatabase('postgres'), { unavailable: await engineSkipReason('postgres') });
