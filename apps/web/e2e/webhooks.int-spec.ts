/**
 * A project's webhooks in a real browser against the real API (issue 14, item 5): a PI adds a
 * webhook and sees its signing secret once, with a copy button, and never again; switches it off
 * and on; reads the delivery log (a failed delivery, written as the worker leaves one, with its
 * attempts) and redelivers it; deletes the webhook. A researcher has no webhooks section. Fails on
 * any console error, page error, or serious/critical axe violation.
 */
import { Client } from 'pg';
import type { Browser, Page } from 'playwright-core';
import {
  eventually,
  expectAccessible,
  failOnPageProblems,
  launchChromium,
  newProjectWith,
  openPage,
  signIn,
  startWebApi,
  type TestApi,
  type User,
  type WebApi,
} from './harness';

type ApiWithDb = TestApi & { db: { ownerUrl: string } };

describe('webhooks on the project page in Chromium (real API, PostgreSQL)', () => {
  let web: WebApi<ApiWithDb>;
  let browser: Browser;
  let owner: Client;
  let pi: User;
  let researcher: User;
  const onProblem = failOnPageProblems();

  beforeAll(async () => {
    [web, browser] = await Promise.all([startWebApi<ApiWithDb>(), launchChromium()]);
    ({
      members: [pi, researcher],
    } = await newProjectWith(web, 'hooks-e2e', ['PI', 'RESEARCHER']));
    owner = new Client({ connectionString: web.api.db.ownerUrl });
    await owner.connect();
  }, 240_000);

  afterAll(async () => {
    await owner?.end();
    await browser?.close();
    await web?.close();
  });

  const section = (page: Page) => page.getByRole('region', { name: 'Webhooks' });

  it('a PI adds a webhook, copies its secret once, switches it off, redelivers a failed delivery and deletes it', async () => {
    const page = await openPage(browser, onProblem, { context: { permissions: ['clipboard-read', 'clipboard-write'] } });
    await signIn(page, web.api.base, pi, '/projects/hooks-e2e');
    const hooks = section(page);
    await hooks.getByText('No webhooks', { exact: true }).waitFor();

    await hooks.getByLabel('Receiver URL').fill('https://user:pw@hooks.example.org/caliper');
    await hooks.getByRole('button', { name: 'Add webhook' }).click();
    await hooks.getByText(/must not carry a user name or password/).waitFor();

    await hooks.getByLabel('Receiver URL').fill('https://hooks.example.org/caliper');
    await hooks.getByRole('checkbox', { name: /Deployment changed/ }).uncheck();
    await hooks.getByRole('button', { name: 'Add webhook' }).click();
    const reveal = page.getByRole('region', { name: /Copy the signing secret for https:\/\/hooks.example.org\/caliper now/ });
    const secret = await eventually(async () => {
      const value = await reveal.getByLabel('Signing secret').inputValue();
      expect(value).toMatch(/^whsec_[0-9a-f]{64}$/);
      return value;
    });
    await reveal.getByRole('button', { name: 'Copy secret' }).click();
    await eventually(async () => expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret));
    await expectAccessible(page, 'webhook secret shown once');
    await reveal.getByRole('button', { name: 'I have stored the secret' }).click();

    const row = hooks.getByRole('row', { name: /hooks\.example\.org\/caliper/ });
    await eventually(async () => expect(await row.textContent()).toMatch(/Version registered.*Promotion rejected/));
    await eventually(async () => expect(await row.textContent()).not.toMatch(/Deployment changed/));
    await page.reload();
    await section(page)
      .getByRole('row', { name: /hooks\.example\.org\/caliper/ })
      .waitFor();
    await eventually(async () => expect(await page.content()).not.toContain(secret.slice(6)));

    const active = page.getByRole('checkbox', { name: 'Webhook https://hooks.example.org/caliper active' });
    // The switch shows what the server stored, so it moves when the answer comes.
    await active.click();
    await eventually(async () => expect(await active.isChecked()).toBe(false));
    const stored = async () =>
      (await owner.query(`SELECT id, active FROM webhooks WHERE url = $1`, ['https://hooks.example.org/caliper'])).rows[0];
    await eventually(async () => expect((await stored()).active).toBe(false));
    await active.click();
    await eventually(async () => expect(await active.isChecked()).toBe(true));
    await eventually(async () => expect((await stored()).active).toBe(true));

    // A delivery the worker gave up on: three attempts answered 500.
    const webhookId = (await stored()).id as string;
    const delivery = await owner.query(
      `INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload, status, attempts, last_status_code, last_error)
       VALUES ($1, gen_random_uuid(), 'model_version.registered', '{"type":"model_version.registered"}', 'failed', 3, 500, 'the receiver answered HTTP 500')
       RETURNING id`,
      [webhookId],
    );
    const deliveryId = delivery.rows[0].id as string;
    for (const attempt of [1, 2, 3])
      await owner.query(
        `INSERT INTO webhook_delivery_attempts (delivery_id, attempt, status_code, error, duration_ms) VALUES ($1, $2, 500, 'the receiver answered HTTP 500', 12)`,
        [deliveryId, attempt],
      );

    await page.getByRole('button', { name: 'Delivery log' }).click();
    const log = page.getByRole('dialog', { name: 'Deliveries to https://hooks.example.org/caliper' });
    await log.getByText('Failed').waitFor();
    await eventually(async () => expect(await log.textContent()).toMatch(/3 attempts/));
    await eventually(async () => expect(await log.locator('ol > li', { hasText: 'HTTP 500 in 12 ms' }).count()).toBe(3));
    await expectAccessible(page, 'webhook delivery log');
    await log.getByRole('button', { name: 'Redeliver' }).click();
    await log.getByText('Pending').waitFor();
    const queued = await owner.query(`SELECT job_id FROM outbox WHERE job_name = 'webhooks.deliver' AND job_id LIKE $1`, [
      `%${deliveryId}%`,
    ]);
    expect(queued.rows.map((r: { job_id: string }) => r.job_id)).toEqual([`webhooks.deliver|${deliveryId}|4`]);
    await log.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('button', { name: 'Delete webhook https://hooks.example.org/caliper' }).click();
    await page.getByRole('dialog', { name: 'Delete webhook' }).getByRole('button', { name: 'Delete webhook' }).click();
    await section(page).getByText('No webhooks', { exact: true }).waitFor();
    expect((await owner.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE id = $1`, [deliveryId])).rows[0].n).toBe(0);
  }, 120_000);

  it('a researcher sees no webhooks section', async () => {
    const page = await openPage(browser, onProblem);
    await signIn(page, web.api.base, researcher, '/projects/hooks-e2e');
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await eventually(async () => expect(await page.getByRole('heading', { name: 'Webhooks' }).count()).toBe(0));
  }, 60_000);
});
