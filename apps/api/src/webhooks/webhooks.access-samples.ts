/** Authorisation-sweep sample calls for webhooks (see testing/access-samples.ts). */
import { UserEntity, WebhooksRepository } from '@caliper/persistence';
import { DataSource } from 'typeorm';
import { AccessSetup, defineAccessSamples } from '../testing/access-samples';
import { WebhooksService } from './webhooks.service';

/** A webhook of the fixture project, created by its PI, with one delivery (a registry event emitted to it). */
export const ACCESS_SETUP: AccessSetup = async (app, f) => {
  const ds = app.get(DataSource);
  const user = await ds.getRepository(UserEntity).findOneByOrFail({ id: f.memberId });
  const principal = {
    method: 'session' as const,
    sessionId: 'sweep',
    user: { id: user.id, username: user.username, displayName: user.displayName, globalRole: null },
  };
  const { webhook } = await app
    .get(WebhooksService)
    .create(principal, { projectId: f.projectId, url: 'https://hooks.example.org/sweep', events: ['model_version.registered'] });
  await ds.transaction((m) =>
    app.get(WebhooksRepository).emit(m, { projectId: f.projectId, type: 'model_version.registered', data: { sweep: true } }),
  );
  const delivery: { id: string }[] = await ds.query(`SELECT id FROM webhook_deliveries WHERE webhook_id = $1`, [webhook.id]);
  return { webhookId: webhook.id, webhookDeliveryId: delivery[0]!.id };
};

export const ACCESS_SAMPLES = defineAccessSamples({
  webhooks: (f) => ({ query: 'query($p: ID!) { webhooks(projectId: $p) { id url } }', variables: { p: f.projectId } }),
  webhookDeliveries: (f) => ({
    query: 'query($w: ID!) { webhookDeliveries(webhookId: $w) { edges { node { id status } } } }',
    variables: { w: f.extra.webhookId },
  }),
  createWebhook: (f) => ({
    query: `mutation($p: ID!) { createWebhook(input: { projectId: $p, url: "https://hooks.example.org/other", events: [PROMOTION_SIGNED] }) {
      secret webhook { id } } }`,
    variables: { p: f.projectId },
  }),
  updateWebhook: (f) => ({
    query: 'mutation($w: ID!) { updateWebhook(input: { id: $w, active: false }) { id active } }',
    variables: { w: f.extra.webhookId },
  }),
  deleteWebhook: (f) => ({ query: 'mutation($w: ID!) { deleteWebhook(id: $w) { id } }', variables: { w: f.extra.webhookId } }),
  redeliverWebhookDelivery: (f) => ({
    query: 'mutation($d: ID!) { redeliverWebhookDelivery(deliveryId: $d) { id status } }',
    variables: { d: f.extra.webhookDeliveryId },
  }),
});
