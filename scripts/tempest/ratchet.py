#!/usr/bin/python3
"""The Tempest ratchet: listed tests must keep passing; tests that start passing get listed.

    ratchet.py include-list LISTS SUITES                  every listed id of SUITES as an anchored include-list regex
    ratchet.py retry-list LISTS SUITES FIRST.subunit      the listed ids of SUITES that did not pass, likewise
    ratchet.py verdict LISTS SUITES FIRST.subunit [RETRY.subunit]
    ratchet.py add [--suite compute-services] LISTS RUN1.subunit RUN2.subunit [...]

LISTS is scripts/tempest/passing/: one file per suite (compute.txt, identity.txt, image.txt,
network.txt, volume.txt, compute-services.txt), one test id per line without Tempest's `[id-…]`
attributes, `#` comments allowed. SUITES is a comma-separated subset of those suites: run-tempest.sh
--ratchet checks compute, identity and image against one cloud with Neutron and Cinder off in
tempest.conf, and network, volume and compute-services against a second one with them on
(docs/TEMPEST.md, "The ratchet"). compute-services lists compute tests that pass only with Neutron
and Cinder on, so they share compute's prefix; a test is in one of the two lists. `verdict` names
every listed test of SUITES that passed in neither run (failed, skipped, or not run because its
class failed to set up) and exits 1 if there is one; it also prints the tests of SUITES that passed
but are in no list. `add` lists the tests that passed in every given run and are in no list, in
every suite but compute-services, or with --suite compute-services in that one only (for runs with
Neutron and Cinder on; run them separately: a test goes in only after passing twice).
"""
import os
import re
import sys

from subunit_results import plain_id, read_results

SUITES = {
    'compute': ('tempest.api.compute.',),
    'identity': ('tempest.api.identity.v3.', 'tempest.api.identity.admin.v3.'),
    'image': ('tempest.api.image.v2.',),
    'network': ('tempest.api.network.',),
    'volume': ('tempest.api.volume.',),
    'compute-services': ('tempest.api.compute.',),
}
# Suites whose prefix another suite has too: `add` fills them only when asked (--suite).
NAMED_ONLY = ('compute-services',)
CLASS_FIXTURE = re.compile(r'^(setUpClass|tearDownClass) \((?P<cls>[\w.]+)\)$')


def list_path(lists_dir, suite):
    return os.path.join(lists_dir, suite + '.txt')


def read_list(path):
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        return [line.split('#')[0].strip() for line in handle if line.split('#')[0].strip()]


def parse_suites(arg):
    suites = arg.split(',')
    unknown = [suite for suite in suites if suite not in SUITES]
    if unknown:
        sys.exit(f'ratchet: unknown suite {", ".join(unknown)} (one of {", ".join(SUITES)})')
    return suites


def listed_ids(lists_dir, suites):
    return {test_id for suite in suites for test_id in read_list(list_path(lists_dir, suite))}


def suite_of(test_id, suites=SUITES):
    return next((suite for suite in suites if test_id.startswith(SUITES[suite])), None)


def include_regex(test_id):
    # The attributes follow the id in brackets; anchor both ends so test_a never selects test_ab.
    return '^' + re.escape(test_id) + r'(\[|$)'


class Outcome:
    """The statuses of one or more runs by plain test id; a later run overrides an earlier one."""

    def __init__(self, paths):
        self.status = {}
        self.cause = {}
        self.class_failures = {}
        for path in paths:
            results = read_results(path)
            for test_id, status in results.statuses.items():
                fixture = CLASS_FIXTURE.match(test_id)
                if fixture:
                    if status == 'fail':
                        self.class_failures[fixture.group('cls')] = f'{fixture.group(1)} failed: {results.cause(test_id)}'
                    continue
                self.status[plain_id(test_id)] = status
                self.cause[plain_id(test_id)] = results.cause(test_id)

    def passed(self, test_id):
        return self.status.get(test_id) == 'success'

    def why_not(self, test_id):
        status = self.status.get(test_id)
        if status is None:
            cls = test_id.rsplit('.', 1)[0]
            return self.class_failures.get(cls, 'did not run (no such test, or its class was skipped)')
        return f'{status}: {self.cause[test_id]}'


def not_passed(lists_dir, suites, first):
    outcome = Outcome([first])
    return sorted(test_id for test_id in listed_ids(lists_dir, suites) if not outcome.passed(test_id))


def verdict(lists_dir, suites, runs):
    first = Outcome(runs[:1])
    final = Outcome(runs)
    listed = listed_ids(lists_dir, suites)
    anywhere = listed_ids(lists_dir, SUITES)
    failed = sorted(test_id for test_id in listed if not first.passed(test_id) and not final.passed(test_id))
    flaky = sorted(test_id for test_id in listed if not first.passed(test_id) and final.passed(test_id))
    unlisted = sorted(test_id for test_id in final.status
                      if final.passed(test_id) and test_id not in anywhere and suite_of(test_id, suites))

    print(f'ratchet: {"/".join(suites)}: {len(listed)} listed tests; {len(flaky)} passed only on retry; {len(failed)} failed twice')
    for test_id in flaky:
        print(f'ratchet: passed on retry: {test_id} (first run {first.why_not(test_id)[:200]})')
    if unlisted:
        print(f'ratchet: {len(unlisted)} tests pass but are not listed; add them to scripts/tempest/passing/ '
              '(docs/TEMPEST.md, "The ratchet"):')
        for test_id in unlisted:
            print(f'ratchet: unlisted pass: {suite_of(test_id, suites)}.txt {test_id}')
    for test_id in failed:
        print(f'ratchet: FAILED: {test_id}\n    {final.why_not(test_id)}')
    return 1 if failed else 0


def add(lists_dir, suites, runs):
    outcomes = [Outcome([run]) for run in runs]
    passing = set.intersection(*({t for t in outcome.status if outcome.passed(t)} for outcome in outcomes))
    passing -= listed_ids(lists_dir, SUITES)
    for suite in suites:
        prefixes = SUITES[suite]
        path = list_path(lists_dir, suite)
        current = read_list(path)
        header = []
        if os.path.exists(path):
            with open(path) as handle:
                header = [line for line in handle if line.startswith('#')]
        merged = sorted(set(current) | {t for t in passing if t.startswith(prefixes)})
        if not merged and not os.path.exists(path):
            continue
        with open(path, 'w') as handle:
            handle.writelines(header)
            handle.writelines(test_id + '\n' for test_id in merged)
        print(f'ratchet: {path}: {len(current)} → {len(merged)} tests')
    return 0


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    command, rest = argv[0], argv[1:]
    if command == 'add':
        suites = [suite for suite in SUITES if suite not in NAMED_ONLY]
        if rest[:1] == ['--suite'] and len(rest) >= 2:
            suites, rest = parse_suites(rest[1]), rest[2:]
        if len(rest) >= 3:
            return add(rest[0], suites, rest[1:])
        sys.exit(__doc__)
    lists_dir, rest = rest[0], rest[1:]
    if not rest:
        sys.exit(__doc__)
    suites, runs = parse_suites(rest[0]), rest[1:]
    if command == 'include-list' and not runs:
        sys.stdout.writelines(include_regex(t) + '\n' for t in sorted(listed_ids(lists_dir, suites)))
        return 0
    if command == 'retry-list' and len(runs) == 1:
        sys.stdout.writelines(include_regex(t) + '\n' for t in not_passed(lists_dir, suites, runs[0]))
        return 0
    if command == 'verdict' and 1 <= len(runs) <= 2:
        return verdict(lists_dir, suites, runs)
    sys.exit(__doc__)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
