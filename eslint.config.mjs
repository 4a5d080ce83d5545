// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** `vscode` exists only in the extension host: code shared with the server and the webviews must not import it. */
const noVscode = {
  'no-restricted-imports': [
    'error',
    {
      paths: [{ name: 'vscode', message: 'src/core, src/webviews and server/ run outside VS Code: keep `vscode` in src/host.' }],
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', 'test-results/', '**/*.d.ts', 'server/.data/', 'bench/.data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  { files: ['src/core/**/*.ts', 'src/webviews/**/*.ts', 'server/**/*.ts'], rules: noVscode },
  {
    files: ['src/webviews/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'Webviews run in a browser: talk to the host through the typed protocol.' }],
          patterns: [
            { group: ['node:*', '../../host/*'], message: 'Webviews run in a browser: talk to the host through the typed protocol.' },
            // Types of the engines (operation results) are shared; their code (drivers, Node) never reaches a webview.
            { group: ['../../core/engines/*'], message: 'Webviews run in a browser: import only protocol types.', allowTypeImports: true },
          ],
        },
      ],
    },
  },
);
