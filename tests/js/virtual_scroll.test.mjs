// Unit tests for www/virtual_scroll.js (pure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CANVAS_PX, canvasHeight, scrollTopFor, virtualTop } from '../../www/virtual_scroll.js';

test('small lists scroll one to one', () => {
  assert.equal(canvasHeight(1000, 22), 22000);
  assert.equal(virtualTop(500, 300, 1000, 22), 500);
  assert.equal(scrollTopFor(500, 300, 1000, 22), 500);
});

test('ten million rows: the canvas is capped and both ends map onto the list ends', () => {
  const total = 10000000, rh = 22, height = 400;
  assert.equal(canvasHeight(total, rh), MAX_CANVAS_PX);
  assert.equal(virtualTop(0, height, total, rh), 0);
  const bottom = MAX_CANVAS_PX - height;
  assert.equal(virtualTop(bottom, height, total, rh), total * rh - height);
  // The last row is visible at the bottom.
  const v = virtualTop(bottom, height, total, rh);
  assert.ok(v + height >= (total - 1) * rh + rh);
  // Round trip.
  const mid = 123456789;
  assert.ok(Math.abs(virtualTop(scrollTopFor(mid, height, total, rh), height, total, rh) - mid) < 1e-3);
});
