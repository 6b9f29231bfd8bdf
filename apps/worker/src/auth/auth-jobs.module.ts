/** The 'auth' job family: failed-login counters from Redis to the audit log. */
import { Module } from '@nestjs/common';
import { FailedLoginsFlushJob } from './failed-logins-flush.job';

@Module({ providers: [FailedLoginsFlushJob] })
export class AuthJobsModule {}
