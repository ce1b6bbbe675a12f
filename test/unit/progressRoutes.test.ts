import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressRoutes } from '../../common/progressRoutes';

test('each request gets its own id and only its notifications, until it closes', () => {
  const routes = new ProgressRoutes();
  const a: string[] = [];
  const b: string[] = [];
  const first = routes.open<{ id: string; delta: string }>('instruct', (p) => a.push(p.delta));
  const second = routes.open<{ id: string; delta: string }>('pull', (p) => b.push(p.delta));
  assert.notEqual(first.id, second.id);
  routes.deliver({ id: first.id, delta: 'x' } as { id: string });
  routes.deliver({ id: second.id, delta: 'y' } as { id: string });
  first.close();
  routes.deliver({ id: first.id, delta: 'late' } as { id: string });
  routes.deliver({ id: 'unknown', delta: 'z' } as { id: string });
  assert.deepEqual(a, ['x']);
  assert.deepEqual(b, ['y']);
});
