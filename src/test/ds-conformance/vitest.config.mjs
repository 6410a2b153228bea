// The suite ships no vitest config, and its own CLI finds no test files when run from another
// project: this folder's one test file calls runConformanceTests against CONFORMANCE_TEST_URL.
export default {
  test: {
    include: ['ds.test.mjs'],
    testTimeout: 40000,
    hookTimeout: 40000,
  },
}
