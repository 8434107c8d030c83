import { describeDatapathContract } from '../datapath.contract.js';
import { FakeDatapath } from './fake-datapath.js';

describeDatapathContract('fake', async () => ({ datapath: new FakeDatapath({ metadata: true }), dispose: async () => {} }));
