import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A server build of one commit, for figures of several versions in one run. */
export interface CommitBuild {
  /** What the version adds, as the tables name it. */
  label: string;
  commit: string;
  /** Its dist/main.js. */
  entry: string;
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status}): ${result.stderr || result.stdout}`,
    );
  }
  return result.stdout.trim();
}

/**
 * Checks `commit` out beside the repository (a detached git worktree under the
 * temp dir, kept between runs) and builds its server with its own
 * scripts/build.mjs. The worktree borrows this tree's node_modules: the commits
 * compared share their dependencies (and the workspace packages resolve to
 * this tree's, so a compared commit must not differ in packages/). `overlay`
 * takes some files from another commit: a commit that holds only half of a
 * change made alongside (and so does not start) gets the other half.
 */
export function buildCommit(
  repoRoot: string,
  label: string,
  commit: string,
  overlay?: { commit: string; paths: string[] },
): CommitBuild {
  const sha = run('git', ['rev-parse', '--short=12', commit], repoRoot);
  const overlaySha = overlay ? run('git', ['rev-parse', '--short=12', overlay.commit], repoRoot) : null;
  const dir = join(tmpdir(), 'chat-bench-builds', overlaySha ? `${sha}+${overlaySha}` : sha);
  if (!existsSync(join(dir, 'package.json'))) {
    mkdirSync(join(tmpdir(), 'chat-bench-builds'), { recursive: true });
    run('git', ['worktree', 'prune'], repoRoot);
    run('git', ['worktree', 'add', '--detach', '--force', dir, sha], repoRoot);
    if (overlay && overlaySha) run('git', ['checkout', overlaySha, '--', ...overlay.paths], dir);
  }
  if (!existsSync(join(dir, 'node_modules')))
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  run(process.execPath, ['scripts/build.mjs'], dir);
  return { label, commit: sha, entry: join(dir, 'apps/server/dist/main.js') };
}
