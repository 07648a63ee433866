// Runs the server's protocol suites on PostgreSQL (TEST_STORAGE=postgres).
// Without a reachable PostgreSQL it says so and skips, never silently.
import { spawnSync } from 'node:child_process';
import pg from 'pg';

const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
try {
  await client.connect();
  await client.query('SELECT 1');
} catch (error) {
  console.warn(
    `postgres protocol suites skipped: ${url.replace(/:[^:@/]*@/, ':***@')} is not reachable (${error.message})`,
  );
  process.exit(0);
} finally {
  await client.end().catch(() => undefined);
}
const result = spawnSync('npx', ['vitest', 'run', '--project', 'server', 'apps/server/test/protocol'], {
  stdio: 'inherit',
  env: { ...process.env, TEST_STORAGE: 'postgres', TEST_DATABASE_URL: url },
});
process.exit(result.status ?? 1);
