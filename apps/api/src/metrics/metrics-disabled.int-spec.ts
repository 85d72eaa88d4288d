import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/test-app';

// Its own file: passport's strategies are process-wide, so one app per test file.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

it('without METRICS_TOKEN there is no /metrics route', async () => {
  const response = await fetch(`${t.url}/metrics`, { headers: { authorization: 'Bearer anything-at-all-long-enough' } });
  expect(response.status).toBe(404);
});
