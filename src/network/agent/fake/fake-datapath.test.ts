import { runDatapathContract } from '../datapath.contract.test.js';
import { FakeDatapath } from './fake-datapath.js';

runDatapathContract({ name: 'fake', create: async () => ({ datapath: new FakeDatapath({ metadata: true }), dispose: async () => {} }) });
