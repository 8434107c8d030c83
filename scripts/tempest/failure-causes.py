#!/usr/bin/python3
"""Print each failing test of a Tempest subunit stream with the last lines of its exception.

    /usr/bin/python3 scripts/tempest/failure-causes.py WS/results.subunit

Grouping the output by its second line gives the causes in docs/TEMPEST.md.
"""
import re
import sys

import subunit
import testtools


class Failures(testtools.StreamResult):
    def __init__(self):
        super().__init__()
        self.tracebacks = {}
        self.statuses = {}

    def status(self, test_id=None, test_status=None, file_name=None, file_bytes=None, **kwargs):
        if file_bytes and file_name == 'traceback':
            self.tracebacks[test_id] = self.tracebacks.get(test_id, b'') + bytes(file_bytes)
        if test_status:
            self.statuses[test_id] = test_status


def main(path):
    result = Failures()
    with open(path, 'rb') as stream:
        subunit.ByteStreamToStreamResult(stream).run(result)
    for test_id, status in sorted(result.statuses.items()):
        if status != 'fail':
            continue
        lines = result.tracebacks.get(test_id, b'').decode('utf-8', 'replace').splitlines()
        # Unindented lines are the exception messages; the frames are indented.
        messages = [line for line in lines if re.match(r'^\S', line) and not line.startswith('Traceback')]
        print(test_id.split('[')[0])
        print('    ' + ' | '.join(messages[-3:])[:600])


if __name__ == '__main__':
    main(sys.argv[1])
