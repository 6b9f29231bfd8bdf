/** The worker's HTTP surface: health and metrics. */
import { Module } from '@nestjs/common';
import { HealthServer } from './health-server';
import { Readiness } from './readiness';

@Module({ providers: [Readiness, HealthServer], exports: [HealthServer] })
export class HealthModule {}
