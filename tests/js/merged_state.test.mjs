// Unit tests for www/merged_state.js (pure): what the Merged view does with the open captures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstMergedNs, mergePlan } from '../../www/merged_state.js';

const done = (name, frames) => ({ name, status: 'done', summary: { frames } });

test('fewer than two usable captures: nothing to merge (failed ones do not count)', () => {
  assert.equal(mergePlan([], 100).state, 'few');
  assert.equal(mergePlan([done('a', 5)], 100).state, 'few');
  assert.equal(mergePlan([done('a', 5), { name: 'b', status: 'failed', summary: null }], 100).state, 'few');
});

test('a capture still indexing: wait for it (and only it)', () => {
  const b = { name: 'b', status: 'indexing', summary: null };
  const plan = mergePlan([done('a', 5), b, done('c', 1)], 100);
  assert.equal(plan.state, 'waiting');
  assert.deepEqual(plan.waiting.map((c) => c.name), ['b']);
});

test('all indexed: merge them in open order, without the failed ones; cancelled and damaged ones count', () => {
  const failed = { name: 'x', status: 'failed', summary: null };
  const cancelled = { name: 'c', status: 'cancelled', summary: { frames: '7' } };
  const plan = mergePlan([done('a', 5), failed, cancelled, done('d', 3)], 100);
  assert.equal(plan.state, 'merge');
  assert.deepEqual(plan.captures.map((c) => c.name), ['a', 'c', 'd']);
  assert.equal(plan.total, 15);
});

test('more packets than the limit in all: too big, with the total', () => {
  const plan = mergePlan([done('a', 60), done('b', 41)], 100);
  assert.equal(plan.state, 'too-big');
  assert.equal(plan.total, 101);
  assert.equal(mergePlan([done('a', 60), done('b', 40)], 100).state, 'merge');
});

test('the first merged packet is the earliest first packet; empty captures have none', () => {
  const col = (...ts) => ({ ts: BigInt64Array.from(ts.map(BigInt)) });
  assert.equal(firstMergedNs([col(30, 1), col(20, 50), col()]), 20n);
  assert.equal(firstMergedNs([col(), col()]), null);
  assert.equal(firstMergedNs([]), null);
});
