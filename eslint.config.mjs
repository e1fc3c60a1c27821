// @ts-check
/**
 * ESLint for the TypeScript in src/, compare/, test/ and scripts/: typescript-eslint's type-aware
 * recommended rules, no floating promises anywhere, and for the code that runs in the Temporal
 * workflow sandbox, nothing that would make a workflow non-deterministic or pull Node into its
 * bundle. Formatting is Prettier's (eslint-config-prettier turns off the rules it owns).
 */
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * What the worker bundles into the workflow sandbox: the workflows (worker.ts `workflowsPath`), the
 * workflow interceptors (`interceptors.workflowModules`), and the modules they import as values.
 */
const WORKFLOW_SANDBOX_FILES = [
  'src/temporal/workflows.ts',
  'src/temporal/shared.ts',
  'src/temporal/activity-options.ts',
  'src/temporal/routing.ts',
  'src/temporal/search-attributes.ts',
  'src/metrics/workflow-interceptors.ts',
  'src/**/workflows/**/*.ts',
  'src/**/*workflow*.ts',
];

const sandboxMessage = 'workflow code runs in the Temporal sandbox: no Node built-ins (use activities)';
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_'));

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.data/', 'bench-report/', 'bench-results/', 'coverage/', 'dist/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { module: 'readonly', require: 'readonly', __dirname: 'readonly' } },
  },
  {
    files: WORKFLOW_SANDBOX_FILES,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: sandboxMessage })),
            ...['@temporalio/activity', '@temporalio/worker', '@temporalio/client'].map((name) => ({
              name,
              allowTypeImports: true,
              message: 'outside the workflow sandbox only; a workflow may import its types',
            })),
          ],
          patterns: [
            { group: ['node:*'], message: sandboxMessage },
            {
              group: ['**/contract/*', '**/activities', '**/pg-client/*', '**/infra/*', '**/config/*'],
              allowTypeImports: true,
              message: 'these modules use Node: a workflow may import their types only (`import type`)',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...[
          'process',
          'performance',
          'fetch',
          'crypto',
          'require',
          'setInterval',
          'clearInterval',
          'setImmediate',
          'clearImmediate',
          'queueMicrotask',
          'Buffer',
          '__dirname',
          '__filename',
        ].map((name) => ({
          name,
          message: 'not deterministic, or not in the Temporal workflow sandbox: use workflow APIs or an activity',
        })),
      ],
      'no-restricted-properties': [
        'error',
        { object: 'crypto', property: 'randomUUID', message: 'use uuid4() from @temporalio/workflow' },
        { object: 'globalThis', property: 'process', message: 'not in the Temporal workflow sandbox' },
        { object: 'globalThis', property: 'crypto', message: 'not in the Temporal workflow sandbox' },
        { object: 'globalThis', property: 'performance', message: 'not in the Temporal workflow sandbox' },
        { object: 'globalThis', property: 'fetch', message: 'not in the Temporal workflow sandbox' },
      ],
    },
  },
  prettier,
);
