/**
 * In electron/core nothing synchronous runs on a request path (issue 12 §1): a `readFileSync`,
 * `scryptSync` or `LowSync` holds the event loop that serves every window. The rule reports each
 * use of a name ending in `Sync` that a file imports (fs, crypto, zlib, child_process, lowdb…) and
 * each call of a member so named (`fs.readFileSync(…)`), as VS Code's `code-no-sync-fs` does.
 *
 * What runs only at start-up (opening the vault, taking its lock, the PKCS#11 worker's own process)
 * is listed in the rule's options, file by file and name by name, each with the reason; an entry
 * that no longer matches anything in its file is reported, so the list only ever shrinks.
 */
import { relative, sep } from 'node:path';

const SYNC = /[a-z]Sync$/;

/** @param {string} path */
const posix = (path) => path.split(sep).join('/');

/** @type {import('eslint').Rule.RuleModule} */
export const noSyncInCore = {
  meta: {
    type: 'problem',
    docs: { description: 'No synchronous fs, crypto or zlib call in electron/core outside the commented start-up allowlist.' },
    schema: [
      {
        type: 'object',
        properties: {
          allow: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                // A file, or a folder ending in `/` (every file below it, every name).
                file: { type: 'string' },
                names: { type: 'array', items: { type: 'string' } },
                why: { type: 'string', minLength: 1 },
              },
              required: ['file', 'why'],
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      sync: "'{{name}}' blocks the event loop that serves every window: use the asynchronous form (fs/promises, promisified zlib, async crypto). Start-up only? Add it to the no-sync-in-core allowlist in eslint.config.mjs with the reason.",
      stale: "The no-sync-in-core allowlist names '{{name}}' for this file, which no longer uses it: remove it from the list.",
    },
  },
  create(context) {
    const file = posix(relative(context.cwd, context.filename));
    const entries = (context.options[0]?.allow ?? []).filter((entry) => (entry.file.endsWith('/') ? file.startsWith(entry.file) : file === entry.file));
    if (entries.some((entry) => entry.file.endsWith('/') || entry.names === undefined)) return {};
    const allowed = new Set(entries.flatMap((entry) => entry.names ?? []));
    const used = new Set();
    const report = (node, name) => {
      if (allowed.has(name)) {
        used.add(name);
        return;
      }
      context.report({ node, messageId: 'sync', data: { name } });
    };
    return {
      ImportSpecifier(node) {
        if (node.importKind === 'type' || node.parent.importKind === 'type') return;
        const imported = node.imported.type === 'Identifier' ? node.imported.name : node.imported.value;
        if (!SYNC.test(imported)) return;
        for (const variable of context.sourceCode.getDeclaredVariables(node)) {
          for (const reference of variable.references) {
            // Type positions (`LowSync<Meta>` as a field's type) run nothing.
            if (reference.isValueReference === false) continue;
            report(reference.identifier, imported);
          }
        }
      },
      'CallExpression > MemberExpression.callee'(node) {
        if (node.computed || node.property.type !== 'Identifier' || !SYNC.test(node.property.name)) return;
        report(node.property, node.property.name);
      },
      'Program:exit'(node) {
        for (const name of allowed) if (!used.has(name)) context.report({ node, loc: { line: 1, column: 0 }, messageId: 'stale', data: { name } });
      },
    };
  },
};
