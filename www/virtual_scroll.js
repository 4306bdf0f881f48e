// Scroll mapping for virtual tables with more rows than a browser can give height to (Chromium
// caps an element near 33.5 million px, 1.5 million 22-px rows): past MAX_CANVAS_PX the canvas
// stays that tall and a scroll position maps linearly onto the full list. Pure; unit-tested in
// tests/js/virtual_scroll.test.mjs.

/** Tallest canvas drawn, well below Chromium's element-height limit. */
export const MAX_CANVAS_PX = 8000000;

/** Height of the canvas for `total` rows of `rowHeight` px. */
export function canvasHeight(total, rowHeight) {
  return Math.min(Math.max(0, total) * rowHeight, MAX_CANVAS_PX);
}

/** The offset into the full list (px) shown at `scrollTop` in a viewport `height` px tall. */
export function virtualTop(scrollTop, height, total, rowHeight) {
  const full = Math.max(0, total) * rowHeight;
  const canvas = canvasHeight(total, rowHeight);
  if (full <= canvas) return scrollTop;
  const room = Math.max(1, canvas - height);
  return Math.min(1, Math.max(0, scrollTop / room)) * Math.max(0, full - height);
}

/** The scrollTop that shows offset `top` of the full list (inverse of virtualTop). */
export function scrollTopFor(top, height, total, rowHeight) {
  const full = Math.max(0, total) * rowHeight;
  const canvas = canvasHeight(total, rowHeight);
  if (full <= canvas) return top;
  const span = Math.max(1, full - height);
  return Math.min(1, Math.max(0, top / span)) * Math.max(0, canvas - height);
}
