// Lint rules, including the import boundaries of the layer table in ../shared/DESIGN.md:
//   server/core  -> nothing outside server/core (and zod)
//   server/store -> server/core
//   server/api   -> server/core, server/store
//   worker       -> server/core, server/store, tfjs
//   app          -> server/core, server/api
// tfjs (and the native addon) may only be imported from worker/ and tests/.
import tseslint from 'typescript-eslint';

const tfjs = ['@tensorflow/*', '@tensorflow/*/**'];
const restrict = (groups, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: groups, message }] }],
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.next/**',
      '.atlas/**',
      'worker/native/build/**',
      'next-env.d.ts',
      'coverage/**',
      '.bench/**',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['server/core/**'],
    rules: {
      ...restrict(
        [
          '**/server/store/**',
          '**/server/api/**',
          '**/worker/**',
          '**/app/**',
          ...tfjs,
          'node:*',
          'fs',
          'path',
          'react',
          'next',
          'next/*',
        ],
        'server/core is pure and isomorphic: it imports only server/core and zod (DESIGN.md layers).',
      ),
      'no-restricted-globals': ['error', { name: 'process', message: 'server/core does not read process.env.' }],
    },
  },
  {
    files: ['server/store/**'],
    rules: restrict(
      ['**/server/api/**', '**/worker/**', '**/app/**', ...tfjs],
      'server/store may import only server/core (DESIGN.md layers).',
    ),
  },
  {
    files: ['server/api/**'],
    rules: restrict(
      ['**/worker/**', '**/app/**', ...tfjs],
      'server/api may import only server/core and server/store (DESIGN.md layers).',
    ),
  },
  {
    files: ['worker/**'],
    rules: restrict(
      ['**/app/**', '**/server/api/**'],
      'worker may import server/core, server/store and tfjs only (DESIGN.md layers).',
    ),
  },
  {
    files: ['app/**'],
    rules: restrict(
      ['**/worker/**', '**/server/store/**', ...tfjs],
      'app may import server/core and server/api only (DESIGN.md layers).',
    ),
  },
);
