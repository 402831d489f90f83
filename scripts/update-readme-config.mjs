#!/usr/bin/env node
// Rewrites the generated configuration reference in README.md (npm run docs:config; needs a build).
import { readFileSync, writeFileSync } from 'node:fs';
import { configReferenceMarkdown, REFERENCE_END, REFERENCE_START } from '../dist/src/config/reference.js';

const path = new URL('../README.md', import.meta.url);
const text = readFileSync(path, 'utf8');
const start = text.indexOf(REFERENCE_START);
const end = text.indexOf(REFERENCE_END);
if (start < 0 || end < start) {
  console.error('README.md has no configuration reference markers');
  process.exit(1);
}
writeFileSync(path, text.slice(0, start + REFERENCE_START.length) + '\n' + configReferenceMarkdown() + '\n' + text.slice(end));
