#!/usr/bin/env node
// Prints the README's seed case study table: where each task of the first requests ran, per policy.
// Usage: npm run build && node scripts/seed-allocation.js
import { loadScenario } from '../dist/model/index.js';
import { allocationMarkdown } from '../dist/report/allocation.js';

export const SEED_POLICIES = [
  'fifo',
  'random',
  'round-robin',
  'least-loaded',
  'earliest-deadline-first',
  'drf',
];

const scenario = loadScenario(new URL('../examples/seed-case-study.yaml', import.meta.url).pathname);
process.stdout.write(`${allocationMarkdown(scenario, SEED_POLICIES)}\n`);
