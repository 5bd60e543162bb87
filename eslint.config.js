import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'

export default tseslint.config(
  { ignores: ['node_modules/', 'src/generated/', 'data/', 'coverage/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        {
          // emitDecoratorMetadata is off (tsx/esbuild/vitest do not emit it reliably), so tsyringe can only
          // inject what an explicit @inject(TOKEN) names. A bare constructor parameter would inject undefined.
          selector: 'ClassDeclaration[decorators.length>0] MethodDefinition[kind="constructor"] > FunctionExpression > :matches(Identifier, TSParameterProperty, AssignmentPattern):not([decorators.length>0])',
          message: 'Every constructor parameter of a decorated (@injectable) class needs an explicit @inject(Token).',
        },
      ],
    },
  },
  { files: ['**/*.{js,mjs}'], languageOptions: { globals: globals.node } },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
)
