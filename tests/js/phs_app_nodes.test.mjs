// Unit tests of the protocol hierarchy's application-node merge (www/phs_app_nodes.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeAppNodes } from '../../www/phs_app_nodes.js';

const row = (path, frames, bytes) => {
  const names = path.split(':');
  return { depth: names.length - 1, proto: names[names.length - 1], path, frames, bytes };
};

const ROWS = [
  row('eth', 10, 1000),
  row('eth:ip', 9, 900),
  row('eth:ip:tcp', 6, 600),
  row('eth:ip:tcp:dns', 1, 80),
  row('eth:ip:udp', 3, 300),
  row('eth:ipv6', 1, 100),
  row('eth:ipv6:tcp', 1, 100),
];

test('nodes go after their parent\'s existing descendants, in their given order', () => {
  const merged = mergeAppNodes(ROWS, [
    { parent: 'eth:ip:tcp', proto: 'tls', frames: 2, bytes: 250 },
    { parent: 'eth:ipv6:tcp', proto: 'http', frames: 1, bytes: 100 },
    { parent: 'eth:ip:tcp', proto: 'http', frames: 3, bytes: 200 },
  ]);
  assert.deepEqual(merged.map((r) => [r.depth, r.path, r.frames, r.bytes]), [
    [0, 'eth', 10, 1000],
    [1, 'eth:ip', 9, 900],
    [2, 'eth:ip:tcp', 6, 600],
    [3, 'eth:ip:tcp:dns', 1, 80],
    [3, 'eth:ip:tcp:tls', 2, 250],
    [3, 'eth:ip:tcp:http', 3, 200],
    [2, 'eth:ip:udp', 3, 300],
    [1, 'eth:ipv6', 1, 100],
    [2, 'eth:ipv6:tcp', 1, 100],
    [3, 'eth:ipv6:tcp:http', 1, 100],
  ]);
  assert.equal(merged[4].proto, 'tls');
  assert.equal(ROWS.length, 7, 'the input rows are not changed');
});

test('a node without its parent row, or already a row, is left out; merging twice changes nothing', () => {
  const nodes = [
    { parent: 'eth:vlan:ip:tcp', proto: 'http', frames: 1, bytes: 64 },
    { parent: 'eth:ip:tcp', proto: 'dns', frames: 1, bytes: 80 },
    { parent: 'eth:ip:tcp', proto: 'http', frames: 1, bytes: 90 },
  ];
  const once = mergeAppNodes(ROWS, nodes);
  assert.deepEqual(once.map((r) => r.path), [...ROWS.slice(0, 4).map((r) => r.path), 'eth:ip:tcp:http', ...ROWS.slice(4).map((r) => r.path)]);
  assert.deepEqual(mergeAppNodes(once, nodes), once);
  assert.deepEqual(mergeAppNodes(ROWS, []), ROWS);
  assert.deepEqual(mergeAppNodes([], nodes), []);
});

test('a node under an added node follows it, before the next added sibling', () => {
  const merged = mergeAppNodes(ROWS, [
    { parent: 'eth:ip:tcp', proto: 'tls', frames: 3, bytes: 3000 },
    { parent: 'eth:ip:tcp:tls', proto: 'tcp.segments', frames: 1, bytes: 1500 },
    { parent: 'eth:ip:tcp', proto: 'tcp.segments', frames: 1, bytes: 54 },
    { parent: 'eth:ip:tcp:tcp.segments', proto: 'http', frames: 1, bytes: 54 },
  ]);
  assert.deepEqual(merged.slice(2, 8).map((r) => [r.depth, r.path, r.frames]), [
    [2, 'eth:ip:tcp', 6],
    [3, 'eth:ip:tcp:dns', 1],
    [3, 'eth:ip:tcp:tls', 3],
    [4, 'eth:ip:tcp:tls:tcp.segments', 1],
    [3, 'eth:ip:tcp:tcp.segments', 1],
    [4, 'eth:ip:tcp:tcp.segments:http', 1],
  ]);
  assert.equal(merged.length, ROWS.length + 4);
  // A child given before its parent has no parent yet: left out.
  assert.equal(mergeAppNodes(ROWS, [{ parent: 'eth:ip:tcp:tls', proto: 'tcp.segments', frames: 1, bytes: 1 }, { parent: 'eth:ip:tcp', proto: 'tls', frames: 1, bytes: 1 }]).length, ROWS.length + 1);
});
