import { randomUUID } from 'node:crypto';
import { RABBIT_URL, rabbitUnavailable } from '../../../../test/support/rabbitmq.js';
import { describeTransportContract } from '../transport.contract.js';
import { AmqpTransport } from './transport.js';

const RUN = randomUUID().slice(0, 8);

describeTransportContract('amqp', () => new AmqpTransport(RABBIT_URL, { queueExpiresMs: 5000, connectionName: `nimbus-test-contract-${RUN}` }), {
  unavailable: await rabbitUnavailable(),
});
