import nx from '@nx/eslint-plugin';
import reactHooks from 'eslint-plugin-react-hooks';
import prettier from 'eslint-config-prettier';
import { readCachedProjectGraph } from '@nx/devkit';

// Without Nx's project graph, @nx/enforce-module-boundaries only warns and checks nothing: refuse to lint instead.
try {
  readCachedProjectGraph();
} catch (error) {
  throw new Error(
    `lint needs the Nx project graph for the module boundary rule; run it through Nx (npm run lint, npx nx run <project>:lint) or create the graph with \`npx nx show projects\` (${error.message.split('\n')[0]})`,
  );
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/.data', '**/coverage'] },
  {
    files: ['apps/web/**/*.tsx', 'apps/web/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    rules: {
      // Who may import whom (see docs/conventions.md): shared depends on nothing;
      // sdk on shared; web on sdk and shared; api on shared.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:sdk', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:web', onlyDependOnLibsWithTags: ['scope:sdk', 'scope:shared'] },
            { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:sdk', 'scope:shared'] },
            // End-to-end tests drive the whole product, so they may reach every part of it.
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:api', 'scope:web', 'scope:sdk', 'scope:shared'] },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      // Indexing typed arrays inside bounds-checked loops; the assertion documents that.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@trackbase/*/dist/**', '../**/dist/**'], message: 'import the package, not its build output' }] },
      ],
    },
  },
  {
    // Type-aware checks: a promise nobody awaits or marks `void` loses its rejection (an unhandled rejection
    // ends a Node process). Every lint target's files belong to a tsconfig, which the project service finds.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Async event handlers (onClick={async …}, socket.on) are fine: their errors are handled inside.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    // `@trackbase/sdk/client` is browser-safe: no Node modules, and nothing of the SDK outside client/ (journal, files, CLI).
    // client-entry.spec.ts bundles it for a browser as well.
    files: ['libs/sdk/src/client/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@trackbase/*/dist/**', '../**/dist/**'], message: 'import the package, not its build output' },
            {
              group: ['node:*'],
              message: 'the client entry runs in browsers: take the platform part as a parameter (SendBytes, ReceiveBytes)',
            },
            {
              group: ['../../*', '../*', '!../transfer', '!../transfer/*', '!../api', '!../backoff', '!../errors', '!../http'],
              message: 'the client entry imports only from libs/sdk/src/client',
            },
          ],
        },
      ],
    },
  },
  {
    // One home for SQL (docs/architecture.md): services and controllers call their domain's repository,
    // never `.query(` or `queryRows(` themselves. The database layer (migrations, tenant scope) runs SQL by nature.
    files: ['apps/api/src/**/*.ts'],
    ignores: ['**/*.repository.ts', '**/*.spec.ts', '**/*.int-spec.ts', 'apps/api/src/database/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.type='MemberExpression'][callee.property.name='query']",
          message: "SQL lives in the domain's *.repository.ts; call a repository method here",
        },
        {
          selector: "CallExpression[callee.name='queryRows']",
          message: "SQL lives in the domain's *.repository.ts; call a repository method here",
        },
      ],
    },
  },
  {
    // The API's tests are clients of the API: they call it through the SDK's browser-safe client, as every client does.
    files: ['apps/api/test/**/*.ts', 'apps/api/src/**/*.int-spec.ts', 'apps/api/src/**/*.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: ['@trackbase/sdk/client'],
          depConstraints: [{ sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:shared'] }],
        },
      ],
    },
  },
  {
    // End-to-end tests reuse the API's test harness (fresh databases, a server process); nothing else may.
    files: ['apps/e2e/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: ['@trackbase/api/test/*', '@trackbase/api/src/database/embedded-postgres'],
          depConstraints: [{ sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:api', 'scope:web', 'scope:sdk', 'scope:shared'] }],
        },
      ],
    },
  },
  // Formatting belongs to Prettier (checked by `npm run lint`); turn off the style rules that would fight it.
  prettier,
];
