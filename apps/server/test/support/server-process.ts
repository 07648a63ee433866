// The server in its own process (`main.ts`, env only), for tests that must crash or signal it.
export { startServerProcess } from '@chat/testkit';
export type { ServerProcess } from '@chat/testkit';
