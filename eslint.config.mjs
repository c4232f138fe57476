// Lint guards the layers (PRODUCT.md "Layers"): each folder may import only the ones below it,
// only the IPC files touch ipcMain/ipcRenderer, every renderer string goes through i18n, and a
// renderer feature reaches another only through its index entry (eslint-rules/).
import js from '@eslint/js';
import i18next from 'eslint-plugin-i18next';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { carddeskPlugin } from './eslint-rules/feature-boundaries.mjs';
import { noSyncInCore } from './eslint-rules/no-sync-in-core.mjs';
import tseslint from 'typescript-eslint';

const layer = (name) => [`**/electron/${name}`, `**/electron/${name}/**`, `../${name}`, `../${name}/**`, `../../${name}/**`];

/** Folders a layer must not import, and why. */
const forbidden = {
  shared: ['core', 'main', 'preload', 'host', 'cli', 'vcard', 'smartcard'],
  smartcard: ['shared', 'core', 'main', 'preload', 'host', 'cli', 'vcard'],
  vcard: ['core', 'main', 'preload', 'host', 'cli'],
  core: ['main', 'preload', 'host', 'cli'],
  main: ['preload', 'host', 'cli'],
  host: ['main', 'preload', 'cli'],
  cli: ['main', 'preload', 'host'],
  preload: ['core', 'main', 'host', 'cli', 'vcard', 'smartcard'],
};

const ipcOnlyInIpcFiles = {
  name: 'electron',
  importNames: ['ipcMain', 'ipcRenderer'],
  message: 'Only electron/main/ipc.ts and electron/preload/preload.ts may touch ipcMain/ipcRenderer.',
};

/**
 * PIV numbers (tags, key references, algorithm ids, instructions, parameters) come from the named
 * constants of electron/smartcard/piv.ts (status words from status-words.ts): a raw hex literal in
 * the card code is a number defined twice. Bit masks and shifts (`& 0xff`, `>> 8`) are not numbers
 * of the card edge and stay allowed. The constants modules and the generic encoders (tlv.ts,
 * apdu.ts, atr.ts) are where the numbers are defined, so they are outside the rule.
 */
const pivNumberFiles = ['electron/core/piv/**/*.ts', 'electron/core/cards/**/*.ts', 'electron/core/lifecycle/**/*.ts', 'electron/vcard/**/*.ts', 'electron/smartcard/**/*.ts'];
const pivNumberDefinitions = ['electron/smartcard/piv.ts', 'electron/smartcard/status-words.ts', 'electron/smartcard/tlv.ts', 'electron/smartcard/apdu.ts', 'electron/smartcard/atr.ts'];
const noRawPivNumbers = {
  selector: 'Literal[raw=/^0x/i]:not(BinaryExpression[operator=/^([&|^]|<<|>>>?)$/] > Literal)',
  message: 'Use the named constants in electron/smartcard/piv.ts (or SW in status-words.ts) instead of a raw hex number; add the constant there if it is missing.',
};

/** The repository's own rules, under one plugin name. */
const carddesk = { rules: { ...carddeskPlugin.rules, 'no-sync-in-core': noSyncInCore } };

/**
 * Synchronous calls the core may still make (issue 12 §1): only where no request is being served.
 * Each entry says why; the rule reports an entry its file no longer needs, so this list only shrinks.
 */
const syncAllowlist = [
  {
    file: 'electron/core/files/safe-file.ts',
    names: ['chmodSync', 'closeSync', 'fsyncSync', 'lstatSync', 'mkdirSync', 'openSync', 'readdirSync'],
    why: 'start-up: prepareDataDir (the data folder made private before anything runs), ensurePrivateDir and fsyncDir for the vault when it opens and takes its lock, the logger exit handler',
  },
  {
    file: 'electron/core/files/safe-file.ts',
    names: ['fchmodSync', 'renameSync', 'unlinkSync', 'writeSync'],
    why: "writeFileDurable: lowdb's vault.json and records snapshot (DurableJsonFile), written only when the vault opens (a records snapshot made at open, vault-storage's updateMetaBlocking for a migration at open); everything written while requests are served uses writeFileDurably",
  },
  { file: 'electron/core/vault/vault-lock.ts', names: ['closeSync', 'openSync', 'readFileSync', 'renameSync', 'unlinkSync', 'writeSync'], why: 'taking the lock when the vault opens (its first use, the reopen after a restore), releasing it at close' },
  { file: 'electron/core/vault/record-store.ts', names: ['LowSync', 'closeSync', 'ftruncateSync', 'openSync', 'readdirSync', 'readFileSync', 'unlinkSync'], why: 'loading the snapshot and journal when the vault opens, and the migration at open (replaceAllAtOpen); commits and compaction are async' },
  { file: 'electron/core/vault/vault-storage.ts', names: ['LowSync'], why: 'vault.json read and migrated at open' },
  { file: 'electron/core/vault/json-file-adapter.ts', names: ['readFileSync'], why: 'lowdb reads vault.json and the records snapshot once, when the vault opens' },
  { file: 'electron/core/log/logger.ts', names: ['appendFileSync', 'statSync'], why: 'the exit handler only: at exit nothing else waits, and an asynchronous append would never run' },
  { file: 'electron/core/letters/cups-printer.ts', names: ['accessSync', 'statSync'], why: 'finding lp and lpstat on PATH once, when the core is composed' },
  { file: 'electron/core/pkcs11/worker/module-driver.ts', names: ['existsSync'], why: "the PKCS#11 worker's own process: it serves no window and blocks only itself" },
];

function layerRules(name, { electron }) {
  const patterns = [
    { group: forbidden[name].flatMap(layer), message: `electron/${name} may not import that layer (see PRODUCT.md, "Layers").` },
  ];
  const paths = electron
    ? [ipcOnlyInIpcFiles]
    : [{ name: 'electron', message: `electron/${name} must run under plain Node: it may not import Electron.` }];
  return {
    files: [`electron/${name}/**/*.ts`],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'coverage/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs', 'eslint-rules/*.mjs', 'scripts/*.mjs', 'scripts/*.cjs', 'bin/*.cjs'] }, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'error',
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['bin/*.cjs', 'scripts/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['scripts/**', 'test/**', 'bench/**'], rules: { 'no-console': 'off' } },

  layerRules('shared', { electron: false }),
  layerRules('smartcard', { electron: false }),
  layerRules('vcard', { electron: false }),
  layerRules('core', { electron: false }),
  layerRules('host', { electron: false }),
  layerRules('cli', { electron: false }),
  layerRules('main', { electron: true }),
  layerRules('preload', { electron: true }),
  {
    files: pivNumberFiles,
    ignores: ['**/*.test.ts', ...pivNumberDefinitions],
    rules: { 'no-restricted-syntax': ['error', noRawPivNumbers] },
  },
  {
    files: ['electron/core/**/*.ts'],
    ignores: ['**/*.test.ts'],
    plugins: { carddesk },
    rules: { 'carddesk/no-sync-in-core': ['error', { allow: syncAllowlist }] },
  },
  {
    // The IPC files themselves: the only ones allowed to import ipcMain / ipcRenderer.
    files: ['electron/main/ipc.ts', 'electron/preload/preload.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The browser-side files of the host and the preload run in a page, not in Node.
    files: ['electron/host/bridge.ts', 'electron/preload/preload.ts', 'electron/shared/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'process', message: 'This file runs in a page, not in Node.' }, 'require', 'Buffer'],
    },
  },
  {
    files: ['electron/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'electron/shared is plain contract code.' }],
          patterns: [
            { group: forbidden.shared.flatMap(layer), message: 'electron/shared imports nothing else of ours.' },
            { group: ['node:*'], message: 'electron/shared also runs in pages: no Node built-ins.' },
          ],
        },
      ],
    },
  },

  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks, i18next, carddesk },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-globals': ['error', 'process', 'require', 'Buffer'],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer talks only to window.carddesk.' }],
          patterns: [
            {
              // workflow-plans and enums are plain constants (no zod), shared by the services and the screens.
              group: ['@shared/*', '**/electron/shared/**', '!@shared/workflow-plans', '!@shared/enums', '!@shared/holder-defaults'],
              allowTypeImports: true,
              message: 'The renderer imports only types from the contract (and the plain constants of @shared/workflow-plans, @shared/enums and @shared/holder-defaults).',
            },
            {
              group: [...['core', 'main', 'preload', 'host', 'cli', 'vcard', 'smartcard'].map((name) => `**/electron/${name}/**`), 'node:*'],
              message: 'The renderer imports nothing from the main-process layers or Node.',
            },
          ],
        },
      ],
      'carddesk/feature-boundaries': 'error',
      'i18next/no-literal-string': [
        'error',
        {
          mode: 'jsx-only',
          'jsx-attributes': { include: ['aria-label', 'title', 'label', 'placeholder', 'alt', 'helperText', 'aria-valuetext'] },
        },
      ],
    },
  },
  {
    // Tests run under Node and may reach into any layer to prove it; vitest's matchers are untyped.
    files: ['**/*.test.{ts,tsx}', 'test/**/*.ts'],
    rules: {
      'i18next/no-literal-string': 'off',
      '@typescript-eslint/no-restricted-imports': 'off',
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
