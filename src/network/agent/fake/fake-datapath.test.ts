import { runDatapathContract } from '../datapath.contract.test.js';
import { FakeDatapath } from './fake-datapath.js';

runDatapathContract({ name: 'fake', create: async () => ({ datapath: new FakeDatapath(), dispose: async () => {} }) });
