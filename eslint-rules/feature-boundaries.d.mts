import type { ESLint, Rule } from 'eslint';

export declare const featureBoundaries: Rule.RuleModule;
export declare const carddeskPlugin: ESLint.Plugin;
