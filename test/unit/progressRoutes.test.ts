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

test('a request with progress: its id in the params, its notifications routed while it runs, none after it settles, failed or not', async () => {
  const routes = new ProgressRoutes();
  const seen: string[] = [];
  let sentId = '';
  const answer = await routes.request<{ id: string; delta: string }, string>('chat', (p) => seen.push(p.delta), async (id) => {
    sentId = id;
    routes.deliver({ id, delta: 'a' } as { id: string });
    return 'done';
  });
  assert.equal(answer, 'done');
  assert.match(sentId, /^chat-/);
  routes.deliver({ id: sentId, delta: 'late' } as { id: string });
  assert.deepEqual(seen, ['a']);
  let failedId = '';
  await assert.rejects(
    routes.request('pull', () => seen.push('never'), async (id) => {
      failedId = id;
      throw new Error('gone');
    }),
    /gone/,
  );
  routes.deliver({ id: failedId, delta: 'late' } as { id: string });
  assert.deepEqual(seen, ['a'], 'a failed request’s route is closed too');
});
