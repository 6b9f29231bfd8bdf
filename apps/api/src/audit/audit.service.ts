/** Reading the audit log and verifying its chain against the checkpoints in object storage. */
import { CONFIG } from '@caliper/server-kit';
import { Inject, Injectable } from '@nestjs/common';
import type { Config } from '@caliper/config';
import { AuditCheckpoint, checkpointDeadlineSeconds } from '@caliper/domain';
import { AuditRepository } from '@caliper/persistence';
import { CHECKPOINT_READER } from '../common/tokens';

export interface AuditCheckpointReader {
  readAll(): Promise<AuditCheckpoint[]>;
}

type SearchQuery = Parameters<AuditRepository['search']>[0];

@Injectable()
export class AuditService {
  constructor(
    private readonly audit: AuditRepository,
    @Inject(CHECKPOINT_READER) private readonly checkpoints: AuditCheckpointReader,
    @Inject(CONFIG) private readonly config: Pick<Config, 'AUDIT_CHECKPOINT_INTERVAL_SECONDS' | 'AUDIT_CHECKPOINT_QUIET_SECONDS'>,
  ) {}

  /** Events newest first, filtered; `limit` rows at most. */
  search(q: SearchQuery): ReturnType<AuditRepository['search']> {
    return this.audit.search(q);
  }

  /** The whole chain walked, every break reported; checkpoints older than the checkpoint deadline must exist. */
  async verify(): ReturnType<AuditRepository['verify']> {
    const deadline = checkpointDeadlineSeconds(this.config.AUDIT_CHECKPOINT_INTERVAL_SECONDS, this.config.AUDIT_CHECKPOINT_QUIET_SECONDS);
    return this.audit.verify(await this.checkpoints.readAll(), { coverBefore: new Date(Date.now() - deadline * 1000) });
  }
}
