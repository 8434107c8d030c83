import { randomUUID } from 'node:crypto';
import { describeTransportContract } from '../transport.contract.js';
import { InprocTransport } from './transport.js';

const BUS = `contract-${randomUUID().slice(0, 8)}`;

describeTransportContract('inproc', () => new InprocTransport(BUS));
