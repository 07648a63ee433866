import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/**
 * The server's layers, lowest first; each may import only those before it
 * (and the leaf modules at the top of src/: clock, config, logger, metrics):
 *   domain <- storage, attachments, push, broker <- auth, realtime <- ws, http <- context, server
 *   (webhooks/ beside push/, but it may use storage: its delivery queue is stored)
 * A relative import of a folder a layer may not see fails `npm run lint`.
 */
const SERVER = 'apps/server/src';
const LAYER_MESSAGE =
  'Imports point one way in the server (docs/architecture.md): this layer may not use that one.';
/** `folders` of src/ seen from a file `depth` folders below src/ (so `./auth` beside a file is not the auth layer). */
const forbidFrom = (depth, folders) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        {
          regex: `^${depth === 0 ? '\\./' : `(\\.\\./){${depth}}`}(${folders.join('|')})(/|$)`,
          message: LAYER_MESSAGE,
        },
      ],
    },
  ],
});
/** One config per depth of the layer's folder (src/X/a.ts, src/X/y/a.ts, src/X/y/z/a.ts). */
const layer = (folder, ...folders) =>
  [1, 2, 3].map((depth) => ({
    files: [`${SERVER}/${folder}/${'*/'.repeat(depth - 1)}*.ts`],
    rules: forbidFrom(depth, folders),
  }));
const EDGES_AND_ROOT = ['ws', 'http', 'context', 'server', 'main', 'index'];
const LOWER = [
  'domain',
  'storage',
  'attachments',
  'push',
  'broker',
  'auth',
  'realtime',
  'limits',
  'webhooks',
];
const serverLayers = [
  {
    files: [`${SERVER}/{clock,config,logger,metrics}.ts`],
    rules: forbidFrom(0, [...LOWER, ...EDGES_AND_ROOT]),
  },
  ...layer('limits', ...LOWER, ...EDGES_AND_ROOT),
  ...layer('domain', ...LOWER, 'config', 'logger', 'metrics', ...EDGES_AND_ROOT),
  ...layer('storage', 'attachments', 'push', 'broker', 'auth', 'realtime', 'webhooks', ...EDGES_AND_ROOT),
  ...layer('attachments', 'storage', 'push', 'broker', 'auth', 'realtime', 'webhooks', ...EDGES_AND_ROOT),
  ...layer('push', 'storage', 'attachments', 'broker', 'auth', 'realtime', 'webhooks', ...EDGES_AND_ROOT),
  ...layer('webhooks', 'attachments', 'push', 'broker', 'auth', 'realtime', ...EDGES_AND_ROOT),
  ...layer('broker', 'storage', 'attachments', 'push', 'auth', 'realtime', 'webhooks', ...EDGES_AND_ROOT),
  ...layer('auth', 'attachments', 'push', 'broker', 'realtime', 'webhooks', ...EDGES_AND_ROOT),
  ...layer('realtime', 'auth', ...EDGES_AND_ROOT),
  ...layer('ws', 'http', 'server', 'main', 'index'),
  ...layer('http', 'ws', 'server', 'main', 'index'),
  { files: [`${SERVER}/context.ts`], rules: forbidFrom(0, ['ws', 'http', 'server', 'main', 'index']) },
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.{js,mjs,cjs}'], languageOptions: { globals: globals.node } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['apps/web/**/*.{ts,tsx}', 'packages/client/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  ...serverLayers,
  {
    files: ['bench/**', 'e2e/**', 'scripts/**', '**/test/**', '.ci/**'],
    rules: { 'no-console': 'off' },
  },
);
