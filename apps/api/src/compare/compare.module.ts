/** Comparing runs: downsampled metric series of many runs on shared bucket edges. */
import { Module } from '@nestjs/common';
import { CompareResolver } from './compare.resolver';
import { SeriesService } from './series.service';

@Module({ providers: [SeriesService, CompareResolver], exports: [SeriesService] })
export class CompareModule {}
