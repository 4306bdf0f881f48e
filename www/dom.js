// The only way the page builds DOM: elements with attributes and text children.
// Text always goes in as text nodes (never innerHTML), so capture-derived strings cannot become markup.

/**
 * Creates an element: `h('div', { class: 'x', dataset: { testid: 'summary' } }, 'text', child)`.
 * Attributes are set with setAttribute (no `on*` handlers, no `style`); `on` takes event listeners.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'dataset') {
      for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) el.dataset[k] = String(v);
    } else if (key === 'on') {
      for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    } else if (key.startsWith('on') || key === 'style' || key === 'innerHTML') {
      throw new Error(`h(): attribute ${key} is not allowed`);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Appends strings (as text nodes), nodes and arrays of them. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces an element's children. */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}
