/**
 * A feature (renderer/src/features/<x>/) reaches another feature only through that feature's
 * index entry (features/<y>/index.ts), never its internals: each feature decides what it offers,
 * the way VS Code's layer rule keeps folders honest. Relative imports are resolved against the
 * importing file, so `../vault/VaultContext` and `../../vault/VaultContext` are both caught.
 */
import { dirname, resolve, sep } from 'node:path';

const FEATURES = `renderer${sep}src${sep}features${sep}`;

/** The feature a path lies in and the rest of the path inside it, or null outside the features. */
function featureOf(path) {
  const at = path.lastIndexOf(FEATURES);
  if (at === -1) return null;
  const [feature, ...rest] = path.slice(at + FEATURES.length).split(sep);
  return feature === undefined || feature === '' ? null : { feature, inner: rest.join('/') };
}

/** @type {import('eslint').Rule.RuleModule} */
export const featureBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'A feature imports another feature only through its index entry.' },
    schema: [],
    messages: {
      internal: "Feature '{{from}}' imports '{{source}}', an internal of feature '{{to}}': import it from that feature's index entry (features/{{to}}/index.ts) instead.",
    },
  },
  create(context) {
    const filename = context.filename;
    const own = featureOf(filename);
    if (own === null) return {};
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = featureOf(resolve(dirname(filename), source));
      if (target === null || target.feature === own.feature) return;
      if (target.inner === '' || target.inner === 'index' || target.inner === 'index.ts') return;
      context.report({ node: node.source, messageId: 'internal', data: { from: own.feature, to: target.feature, source } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export const carddeskPlugin = { rules: { 'feature-boundaries': featureBoundaries } };

