#!/usr/bin/python3
"""Print each failing test of a Tempest subunit stream with the last lines of its exception.

    /usr/bin/python3 scripts/tempest/failure-causes.py WS/results.subunit

Grouping the output by its second line gives the causes in docs/TEMPEST.md.
"""
import sys

from subunit_results import plain_id, read_results


def main(path):
    result = read_results(path)
    for test_id, status in sorted(result.statuses.items()):
        if status != 'fail':
            continue
        print(plain_id(test_id))
        print('    ' + result.cause(test_id))


if __name__ == '__main__':
    main(sys.argv[1])
