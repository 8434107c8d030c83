// A node:test reporter (run-tests.mjs adds it when NIMBUS_TEST_TIMES names a file): the time of
// each test file, as the sum of its top-level tests' durations, longest first. CI is near its 60
// minutes; this shows which files to make cheaper.
export default async function* testFileTimes(source) {
  const perFile = new Map();
  for await (const event of source) {
    const { type, data } = event;
    if ((type === 'test:pass' || type === 'test:fail') && data.nesting === 0 && data.file !== undefined) {
      perFile.set(data.file, (perFile.get(data.file) ?? 0) + (data.details?.duration_ms ?? 0));
    }
  }
  const rows = [...perFile].sort((a, b) => b[1] - a[1]);
  yield rows.map(([file, ms]) => `${(ms / 1000).toFixed(1)}\t${file}\n`).join('');
}
