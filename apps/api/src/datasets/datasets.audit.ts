/** Datasets' audit actions, declared beside the feature (see FeatureAuditActions). */
import { defineAuditActions } from '@caliper/domain';

declare module '@caliper/domain' {
  interface FeatureAuditActions {
    'dataset.created': true;
    'dataset_version.created': true;
    'dataset_version.items_added': true;
    'dataset_version.sealed': true;
    'dataset_version.deleted': true;
    'dataset_import.requested': true;
    'dataset_version.labels_set': true;
    'dataset_version.mask_set': true;
    'dataset_version.splits_set': true;
  }
}

export const DATASET_AUDIT_ACTIONS = defineAuditActions([
  'dataset.created',
  'dataset_version.created',
  'dataset_version.items_added',
  'dataset_version.sealed',
  'dataset_version.deleted',
  'dataset_import.requested',
  'dataset_version.labels_set',
  'dataset_version.mask_set',
  'dataset_version.splits_set',
]);
