// The lint gate of `npm test` (doc/DESIGN.md, "Lint"): typescript-eslint's recommended rules and
// the house style the code follows (STYLE.md): two-space indent, no semicolons, single quotes,
// a space before a function's parentheses, lines of at most 120 characters.
import tseslint from 'typescript-eslint'
import stylistic from '@stylistic/eslint-plugin'

export default tseslint.config(
  { ignores: ['build/**', 'node_modules/**', '.tap/**', '.cache/**', 'sv-examples/**'] },
  {
    files: ['**/*.ts', '**/*.js'],
    extends: [tseslint.configs.recommended],
    plugins: { '@stylistic': stylistic },
    rules: {
      '@stylistic/indent': ['error', 2],
      '@stylistic/semi': ['error', 'never'],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
      '@stylistic/space-before-function-paren': ['error', 'always'],
      '@stylistic/comma-dangle': ['error', 'never'],
      '@stylistic/eol-last': 'error',
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/max-len': ['error', {
        code: 120, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true
      }],
      // non-null assertions stand where noUncheckedIndexedAccess cannot see an index is in range
      '@typescript-eslint/no-non-null-assertion': 'off'
    }
  },
  {
    // the shims: sh and CommonJS at once (doc/DESIGN.md, "The bin shims")
    files: ['bin/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  }
)
