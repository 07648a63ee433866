import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ChatServer, ServerConfig } from '../../src/index';
import { createUser, type TestUser } from './fixtures';
import { SocketScope } from './protocol';
import { startTestServer, type TestServer } from './test-server';

/** What a protocol suite works with. Read the fields in tests and hooks: they are set in its beforeAll. */
export interface ProtocolCast {
  /** The running server. */
  readonly server: ChatServer;
  /** The test server around it (data directory, restart), for helpers that go under the wire. */
  readonly harness: TestServer;
  /** Each test's sockets, closed after the test. */
  readonly sockets: SocketScope;
  /** Four people on the server, in no conversation yet; Mallory is the one no test invites. */
  readonly alice: TestUser;
  readonly bob: TestUser;
  readonly carol: TestUser;
  readonly mallory: TestUser;
}

/**
 * The setup the protocol conformance suites share, called at the top level of
 * a test file: a test server for the file (with its `overrides`) and Alice, Bob,
 * Carol and Mallory on it, before all tests; each test's sockets closed after
 * it; the server disposed after all.
 */
export function useProtocolServer(overrides: Partial<ServerConfig> = {}): ProtocolCast {
  let harness: TestServer | undefined;
  let people: TestUser[] = [];
  const notYet = (): never => {
    throw new Error('useProtocolServer: the server starts in beforeAll; read it in a test or hook');
  };
  const running = () => harness ?? notYet();
  const person = (index: number) => people[index] ?? notYet();
  const sockets = new SocketScope(() => running().server);

  beforeAll(async () => {
    const started = await startTestServer(overrides);
    harness = started;
    people = await Promise.all([
      createUser(started.server, 'Alice'),
      createUser(started.server, 'Bob'),
      createUser(started.server, 'Carol'),
      createUser(started.server, 'Mallory'),
    ]);
  });
  afterEach(() => sockets.closeAll());
  afterAll(() => harness?.dispose());

  return {
    get server() {
      return running().server;
    },
    get harness() {
      return running();
    },
    sockets,
    get alice() {
      return person(0);
    },
    get bob() {
      return person(1);
    },
    get carol() {
      return person(2);
    },
    get mallory() {
      return person(3);
    },
  };
}
