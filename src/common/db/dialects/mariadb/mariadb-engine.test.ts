import { engineSkipReason, openTestDatabase } from '../../../../../test/support/databases.js';
import { describeDatabaseEngineContract } from '../../engine.contract.js';

describeDatabaseEngineContract('mariadb', () => openTestDatabase('mariadb'), { unavailable: await engineSkipReason('mariadb') });
