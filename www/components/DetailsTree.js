// The packet-details tree (Wireshark's middle pane) of one frame: protocol lines that open and
// close, field lines carrying their Wireshark field name (data-field), value and byte range.
// Selecting a line reports its range (the bytes pane marks it); "Apply as filter" puts
// `field == value` in the filter bar; "Follow stream" follows the frame's TCP/UDP stream.
import { h, replaceChildren } from '../dom.js';
import { filterExpression } from '../packet_view_state.js';

/** Mounts an empty tree. Callbacks: onSelect(node | null), onApplyFilter(expression), onFollow(). */
export function createDetailsTree({ onSelect, onApplyFilter, onFollow }) {
  const applyButton = h('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'apply-filter' }, disabled: true, title: 'Put “field == value” in the filter bar and apply it', on: { click: () => applySelected() } }, 'Apply as filter');
  const followButton = h('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'details-follow' }, disabled: true, on: { click: () => onFollow() } }, 'Follow stream');
  const title = h('span', { class: 'pane-hint' }, 'Select a packet to see its details.');
  const tree = h('ul', { class: 'details-tree', role: 'tree', 'aria-label': 'Packet details', tabindex: 0, dataset: { testid: 'details-tree' } });
  const element = h('div', { class: 'details-pane' }, h('div', { class: 'details-head' }, title, h('span', { class: 'spacer' }), applyButton, followButton), tree);
  let selected = null; // { li, node }

  function select(li, node) {
    if (selected) selected.li.classList.remove('selected');
    selected = li ? { li, node } : null;
    if (li) li.classList.add('selected');
    tree.dataset.selected = node && node.field ? node.field : '';
    applyButton.disabled = !(node && filterExpression(node.field, node.value));
    onSelect(node || null);
  }

  function applySelected() {
    if (!selected) return;
    const expr = filterExpression(selected.node.field, selected.node.value);
    if (expr) onApplyFilter(expr);
  }

  function render(node, depth) {
    const hasChildren = node.children && node.children.length > 0;
    const toggle = h('span', { class: 'dt-toggle', 'aria-hidden': 'true' }, hasChildren ? '▸' : '');
    const line = h('div', { class: 'dt-line' }, toggle, h('span', { class: 'dt-label' }, node.label));
    const isProtocol = node.value === null || node.value === undefined;
    const li = h('li', {
      role: 'treeitem', class: `dt-node${isProtocol ? ' dt-protocol' : ''}`,
      'aria-expanded': hasChildren ? 'false' : null,
      dataset: {
        testid: isProtocol ? 'protocol' : 'field', field: node.field, value: isProtocol ? null : node.value,
        offset: node.offset, length: node.length,
      },
    }, line);
    // Children are built at once (trees are small) and hidden while the line is closed.
    const childList = hasChildren ? h('ul', { role: 'group', hidden: true }, node.children.map((c) => render(c, depth + 1))) : null;
    if (childList) li.append(childList);
    const expand = (open) => {
      if (!childList) return;
      childList.hidden = !open;
      li.setAttribute('aria-expanded', open ? 'true' : 'false');
      toggle.textContent = open ? '▾' : '▸';
    };
    line.addEventListener('click', (e) => {
      if (e.target === toggle) expand(li.getAttribute('aria-expanded') !== 'true');
      select(li, node);
    });
    line.addEventListener('dblclick', () => expand(li.getAttribute('aria-expanded') !== 'true'));
    // Protocols open by default except the frame line, as Wireshark shows a selected packet.
    if (depth === 0 && node.field !== 'frame') expand(true);
    li.expand = expand;
    return li;
  }

  // Keyboard: Up/Down move between visible lines, Left/Right close/open, Enter applies.
  tree.addEventListener('keydown', (e) => {
    const lines = [...tree.querySelectorAll('li')].filter((li) => li.offsetParent !== null);
    const at = selected ? lines.indexOf(selected.li) : -1;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const next = lines[Math.max(0, Math.min(lines.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)))];
      if (next) next.querySelector('.dt-line').click();
    } else if ((e.key === 'ArrowRight' || e.key === 'ArrowLeft') && selected && selected.li.expand) {
      selected.li.expand(e.key === 'ArrowRight');
    } else if (e.key === 'Enter') {
      applySelected();
    } else return;
    e.preventDefault();
  });

  return {
    element,
    /** Shows a frame's tree ({ number, tree }); `canFollow` enables Follow stream. */
    show(details, canFollow) {
      selected = null;
      applyButton.disabled = true;
      followButton.disabled = !canFollow;
      tree.dataset.frame = String(details.number);
      replaceChildren(title, `Frame ${details.number}`);
      replaceChildren(tree, details.tree.map((n) => render(n, 0)));
    },
    /** Empties the tree. */
    clear() {
      selected = null;
      applyButton.disabled = true;
      followButton.disabled = true;
      delete tree.dataset.frame;
      replaceChildren(title, 'Select a packet to see its details.');
      tree.replaceChildren();
    },
    /** Selects the first line for `field` (opening its parents); returns whether it exists. */
    selectField(field) {
      const find = (lis) => {
        for (const li of lis) {
          if (li.dataset.field === field) return li;
          if (li.expand) li.expand(true);
          const inner = find([...li.querySelectorAll(':scope > ul > li')]);
          if (inner) return inner;
        }
        return null;
      };
      const li = find([...tree.querySelectorAll(':scope > li')]);
      if (li) li.querySelector('.dt-line').click();
      return Boolean(li);
    },
  };
}
