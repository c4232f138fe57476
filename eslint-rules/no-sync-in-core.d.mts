import type { Rule } from 'eslint';

export declare const noSyncInCore: Rule.RuleModule;
