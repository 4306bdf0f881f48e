// Unit tests of the Session and statistics helpers that need no DOM: CSV export and lot shading.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, toCsv } from '../../www/csv.js';
import { lotIndexOf } from '../../www/components/LadderDiagram.js';

test('CSV cells are quoted only when needed', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell(null), '');
  assert.equal(toCsv(['a', 'b'], [[1, 'x,y'], [2, '']]), 'a,b\n1,"x,y"\n2,\n');
});

test('arrows belong to the lot that started at or before them', () => {
  const arrows = [1, 2, 3, 8, 9, 25, 26, 40].map((frame) => ({ frame }));
  const lots = [{ first_frame: 8 }, { first_frame: 25 }];
  assert.deepEqual([...lotIndexOf(arrows, lots)], [-1, -1, -1, 0, 0, 1, 1, 1]);
  assert.deepEqual([...lotIndexOf(arrows, [])], [-1, -1, -1, -1, -1, -1, -1, -1]);
});
