/** The views feature's own audit actions (see FeatureAuditActions): a metric's direction set or reset to its default. */
import { defineAuditActions } from '@caliper/domain';

declare module '@caliper/domain' {
  interface FeatureAuditActions {
    'metric_direction.set': true;
    'metric_direction.reset': true;
  }
}

export const VIEWS_AUDIT_ACTIONS = defineAuditActions(['metric_direction.set', 'metric_direction.reset']);
