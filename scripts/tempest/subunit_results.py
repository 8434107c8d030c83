"""Read a Tempest subunit stream: the final status of each test and its traceback.

Shared by failure-causes.py and ratchet.py (both in this folder, run with /usr/bin/python3).
"""
import re

import subunit
import testtools


class Results(testtools.StreamResult):
    def __init__(self):
        super().__init__()
        self.tracebacks = {}
        self.statuses = {}
        self.reasons = {}

    def status(self, test_id=None, test_status=None, file_name=None, file_bytes=None, **kwargs):
        if file_bytes and file_name == 'traceback':
            self.tracebacks[test_id] = self.tracebacks.get(test_id, b'') + bytes(file_bytes)
        if file_bytes and file_name == 'reason':
            self.reasons[test_id] = self.reasons.get(test_id, b'') + bytes(file_bytes)
        if test_status:
            self.statuses[test_id] = test_status

    def cause(self, test_id):
        """The last exception messages of a failure (the frames are indented), or a skip's reason."""
        if test_id in self.reasons and test_id not in self.tracebacks:
            return 'skipped: ' + self.reasons[test_id].decode('utf-8', 'replace').strip()[:300]
        lines = self.tracebacks.get(test_id, b'').decode('utf-8', 'replace').splitlines()
        messages = [line for line in lines if re.match(r'^\S', line) and not line.startswith('Traceback')]
        return ' | '.join(messages[-3:])[:600]


def read_results(path):
    result = Results()
    with open(path, 'rb') as stream:
        subunit.ByteStreamToStreamResult(stream).run(result)
    return result


def plain_id(test_id):
    """A test id without Tempest's attributes: `a.b.C.test_x[id-…,smoke]` → `a.b.C.test_x`."""
    return test_id.split('[')[0]
