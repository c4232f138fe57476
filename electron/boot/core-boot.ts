/** dist/core-boot.cjs: starts the core process (dist/core.cjs) through V8's code cache. */
import { join } from 'node:path';
import { runWithCodeCache } from './code-cache';

runWithCodeCache(join(__dirname, 'core.cjs'));
