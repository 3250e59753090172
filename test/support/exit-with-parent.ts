/**
 * Preloaded into every fixture process by `startFixture`. The fixture's stdin is a pipe
 * from the test runner, which the kernel closes when the runner ends however it ends (a
 * killed vitest included), so the fixture ends with it instead of holding ports and Redis
 * connections on the machine. Unreferenced: it keeps no fixture alive by itself.
 */
process.stdin.on('end', () => process.exit(1)).on('error', () => process.exit(1));
process.stdin.resume();
process.stdin.unref();
