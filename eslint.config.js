// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import lit from 'eslint-plugin-lit';
import litA11y from 'eslint-plugin-lit-a11y';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Layout and quotes are Prettier's (`npm run format`); these catch mistakes. */
export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'web/dist/', '.derbel-data/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_` marks an argument a signature needs and the body does not.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Specs and benchmarks read JSON bodies and poke at internals: `any` there is the point, not a shortcut.
    files: ['test/**', '**/*.spec.ts', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The web app: Lit components. A class field would shadow the reactive property Lit defines (the `declare` idiom).
    files: ['web/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    ...lit.configs['flat/recommended'],
    rules: { ...lit.configs['flat/recommended'].rules, 'lit/no-classfield-shadowing': 'error' },
  },
  {
    files: ['web/src/**/*.ts'],
    ...litA11y.configs.recommended,
  },
  prettier,
);
