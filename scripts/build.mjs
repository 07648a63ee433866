// `npm run build` (and the first half of `npm start`): builds what production
// runs, and rebuilds a part only when its inputs changed.
//
//   server  apps/server/src/main.ts and cluster.ts bundled by esbuild into apps/server/dist/{main,cluster}.js
//           (ESM, node20, source map): the workspace packages (@chat/*, which export
//           TypeScript source) are bundled in, every npm package stays an import.
//           apps/server/dist mirrors apps/server/src as if each module had been
//           compiled in place: the non-code files of src (the .sql migrations) are
//           copied to the same relative paths, and each module's import.meta.url,
//           .dirname and .filename name its place in that mirror, so code that
//           finds files relative to itself finds them in dist (and in src when run
//           through tsx, in tests and `npm run dev`).
//   web     `npm run build --workspace @chat/web` (Vite) into apps/web/dist.
//
// Staleness: each part's inputs (the files of its workspace and of the workspace
// packages it depends on, minus tests and docs; the root package.json, lockfile and
// tsconfigs; this script; for the web, VITE_* variables) are hashed with SHA-256,
// and the hash is kept in <dist>/.build-stamp.json, written last. A part whose
// stamp matches is not rebuilt. `--force` rebuilds both. Builds take a lock, so
// two at once (npm start while the e2e suite builds) do not write over each other.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const THIS_SCRIPT = fileURLToPath(import.meta.url);
const STAMP = '.build-stamp.json';
const SERVER_SRC = join(ROOT, 'apps/server/src');
const SERVER_DIST = join(ROOT, 'apps/server/dist');
const WEB_DIST = join(ROOT, 'apps/web/dist');
const LOCK = join(ROOT, 'node_modules/.cache/chat-build.lock');

/** Folders and files that are not inputs of a build. */
const SKIP_DIRS = new Set(['node_modules', 'dist', 'test', 'tests', 'coverage', '.vite', '.turbo']);
const SKIP_FILE = /(\.test\.[cm]?[jt]sx?|\.md|\.tsbuildinfo)$/;
const CODE_FILE = /\.[cm]?[jt]sx?$/;
const ROOT_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.base.json'];

const log = (line) => process.stdout.write(`build: ${line}\n`);

// --- the workspaces ---------------------------------------------------------------

/** name -> { dir, manifest } of every npm workspace. */
function readWorkspaces() {
  const rootManifest = readJson(join(ROOT, 'package.json'));
  const workspaces = new Map();
  for (const pattern of rootManifest.workspaces ?? []) {
    const dirs = pattern.endsWith('/*')
      ? readdirSync(join(ROOT, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => join(ROOT, pattern.slice(0, -2), entry.name))
      : [join(ROOT, pattern)];
    for (const dir of dirs) {
      const file = join(dir, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = readJson(file);
      workspaces.set(manifest.name, { dir, manifest });
    }
  }
  return workspaces;
}

/** `name` and the workspaces it depends on at run time, transitively. */
function workspaceClosure(workspaces, name, seen = new Set()) {
  if (seen.has(name) || !workspaces.has(name)) return seen;
  seen.add(name);
  const { manifest } = workspaces.get(name);
  for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
    workspaceClosure(workspaces, dep, seen);
  }
  return seen;
}

// --- staleness --------------------------------------------------------------------

function listFiles(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) listFiles(path, out);
    } else if (entry.isFile() && !SKIP_FILE.test(entry.name)) {
      out.push(path);
    }
  }
  return out;
}

/** SHA-256 over the paths and contents of the inputs of a build, and `extra`. */
function inputsHash(workspaces, name, extra = {}) {
  const files = [THIS_SCRIPT, ...ROOT_INPUTS.map((file) => join(ROOT, file)).filter(existsSync)];
  for (const member of workspaceClosure(workspaces, name)) listFiles(workspaces.get(member).dir, files);
  const hash = createHash('sha256');
  for (const file of [...new Set(files)].sort()) {
    hash.update(`${relative(ROOT, file).split(sep).join('/')}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  hash.update(JSON.stringify(extra));
  return hash.digest('hex');
}

function isFresh(distDir, hash) {
  try {
    return readJson(join(distDir, STAMP)).inputs === hash;
  } catch {
    return false;
  }
}

function writeStamp(distDir, hash) {
  writeFileSync(
    join(distDir, STAMP),
    `${JSON.stringify({ inputs: hash, builtAt: new Date().toISOString() })}\n`,
  );
}

// --- server -----------------------------------------------------------------------

const packageName = (specifier) => specifier.split('/', specifier.startsWith('@') ? 2 : 1).join('/');

/**
 * Workspace packages are bundled; npm packages stay imports, resolved at run time
 * from apps/server/node_modules or the root's. Each must be a `dependencies` entry
 * of the workspace that imports it, or a production install would lack it.
 */
function npmPackagesExternal(workspaces) {
  const builtins = new Set(builtinModules);
  const owners = [...workspaces.values()];
  return {
    name: 'npm-packages-external',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        const name = packageName(args.path);
        if (workspaces.has(name)) return undefined;
        if (args.path.startsWith('node:') || builtins.has(name)) return { path: args.path, external: true };
        const owner = owners.find(({ dir }) => args.importer.startsWith(dir + sep));
        if (owner && !owner.manifest.dependencies?.[name]) {
          return {
            errors: [
              {
                text: `${relative(ROOT, args.importer)} imports '${args.path}', which ${owner.manifest.name} does not list in "dependencies"`,
              },
            ],
          };
        }
        return { path: args.path, external: true };
      });
    },
  };
}

const IMPORT_META = /\bimport\.meta\.(url|dirname|filename)\b/g;

/**
 * In the bundle, a module's import.meta.url would be the bundle's. This gives each
 * module of apps/server/src the URL of its compiled self in the mirror, e.g.
 * src/storage/sqlite/migrate.ts -> dist/storage/sqlite/migrate.js, so
 * `new URL('./migrations/', import.meta.url)` is the copy in dist. (The rewrite
 * keeps lines, so the source map stays exact.)
 */
function importMetaOfSource() {
  const loaders = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.jsx': 'jsx' };
  return {
    name: 'import-meta-of-source',
    setup(build) {
      build.onLoad({ filter: CODE_FILE }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!source.match(IMPORT_META)) return undefined;
        const rel = relative(SERVER_SRC, args.path);
        if (rel.startsWith('..')) {
          return {
            errors: [
              {
                text: `${relative(ROOT, args.path)} uses import.meta.url/dirname/filename, which the server bundle supports in apps/server/src only`,
              },
            ],
          };
        }
        const compiled = `./${rel.split(sep).join('/').replace(CODE_FILE, '.js')}`;
        const url = `new URL(${JSON.stringify(compiled)}, import.meta.url)`;
        const contents = source.replace(IMPORT_META, (_, key) =>
          key === 'url'
            ? `${url}.href`
            : key === 'filename'
              ? `__chatFileURLToPath(${url})`
              : `__chatDirname(__chatFileURLToPath(${url}))`,
        );
        const extension = args.path.slice(args.path.lastIndexOf('.'));
        return { contents, loader: loaders[extension] ?? 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/** Copies the non-code files of `from` (the .sql migrations) to the same paths under `to`. */
function copyAssets(from, to) {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) {
      copyAssets(source, target);
    } else if (entry.isFile() && !CODE_FILE.test(entry.name)) {
      mkdirSync(to, { recursive: true });
      copyFileSync(source, target);
    }
  }
}

async function buildServer(workspaces) {
  const { build } = await import('esbuild');
  rmSync(SERVER_DIST, { recursive: true, force: true });
  const common = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
    banner: {
      js: [
        "import { fileURLToPath as __chatFileURLToPath } from 'node:url';",
        "import { dirname as __chatDirname } from 'node:path';",
      ].join('\n'),
    },
    plugins: [npmPackagesExternal(workspaces), importMetaOfSource()],
  };
  await build({
    ...common,
    // main.js runs one server; cluster.js forks workers that each import main.
    entryPoints: [join(SERVER_SRC, 'main.ts'), join(SERVER_SRC, 'cluster.ts')],
    outdir: SERVER_DIST,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  });
  // The SQLite writer thread (storage/sqlite/append-thread.ts looks for it here): a bundle
  // of its own at the root of dist, so import.meta of its modules resolves as in main.js.
  await build({
    ...common,
    entryPoints: { 'sqlite-append-worker': join(SERVER_SRC, 'storage/sqlite/append-worker.ts') },
    outdir: SERVER_DIST,
  });
  copyAssets(SERVER_SRC, SERVER_DIST);
}

// --- web --------------------------------------------------------------------------

function buildWeb() {
  // Through the npm running this script when there is one (npm start, npm run build).
  const npmCli = /npm-cli\.js$/.test(process.env.npm_execpath ?? '') ? process.env.npm_execpath : undefined;
  const args = ['run', 'build', '--workspace', '@chat/web'];
  // Always the production build: a caller's NODE_ENV (Vitest sets `test`) would make Vite build
  // React's development bundle and leave out what only production does (the service worker),
  // and the stamp would then keep that build for `npm start`.
  const env = { ...process.env, NODE_ENV: 'production' };
  const result = npmCli
    ? spawnSync(process.execPath, [npmCli, ...args], { cwd: ROOT, stdio: 'inherit', env })
    : spawnSync('npm', args, { cwd: ROOT, stdio: 'inherit', env, shell: process.platform === 'win32' });
  if (result.status !== 0) throw new Error(`the web build failed (${result.status ?? result.signal})`);
}

// --- lock -------------------------------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** An exclusive lock file holding the builder's pid; a dead builder's lock is taken over. */
async function lock() {
  mkdirSync(dirname(LOCK), { recursive: true });
  let told = false;
  for (;;) {
    try {
      writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      return () => rmSync(LOCK, { force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    let pid;
    let age;
    try {
      pid = Number(readFileSync(LOCK, 'utf8'));
      age = Date.now() - statSync(LOCK).mtimeMs;
    } catch (error) {
      if (error.code === 'ENOENT') continue; // released meanwhile
      throw error;
    }
    if ((pid > 0 && !alive(pid)) || (!(pid > 0) && age > 5000)) {
      rmSync(LOCK, { force: true });
      continue;
    }
    if (!told) log(`waiting for another build (pid ${pid})`);
    told = true;
    await sleep(250);
  }
}

// --- main -------------------------------------------------------------------------

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

async function main() {
  const force = process.argv.includes('--force');
  const workspaces = readWorkspaces();
  const viteEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('VITE_')));
  const parts = [
    {
      name: 'server',
      dist: SERVER_DIST,
      hash: () => inputsHash(workspaces, '@chat/server'),
      build: () => buildServer(workspaces),
    },
    {
      name: 'web',
      dist: WEB_DIST,
      hash: () => inputsHash(workspaces, '@chat/web', viteEnv),
      build: buildWeb,
    },
  ];
  const stale = () => parts.filter((part) => force || !isFresh(part.dist, part.hash()));
  if (stale().length === 0) {
    log('server and web are up to date');
    return;
  }
  const unlock = await lock();
  try {
    // Again under the lock: a build that held it may have just built them.
    for (const part of parts) {
      const hash = part.hash();
      if (!force && isFresh(part.dist, hash)) {
        log(`${part.name} is up to date`);
        continue;
      }
      const started = Date.now();
      log(`building the ${part.name}`);
      rmSync(join(part.dist, STAMP), { force: true });
      await part.build();
      writeStamp(part.dist, hash);
      log(`${part.name} built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    unlock();
  }
}

main().catch((error) => {
  console.error(`build failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
