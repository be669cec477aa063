#!/usr/bin/env node
// Runs the TypeScript CLI entry through tsx (the project ships sources, as `npm start` does).
import { register } from 'tsx/esm/api';

register();
await import('../infrastructure/cli/derbel');
