/** Comparing runs: downsampled metric series of many runs on shared bucket edges, and of one run's training metrics for its page. */
import { Module } from '@nestjs/common';
import { CompareResolver } from './compare.resolver';
import { RunChartSeriesResolver } from './run-chart-series.resolver';
import { SeriesService } from './series.service';

@Module({ providers: [SeriesService, CompareResolver, RunChartSeriesResolver], exports: [SeriesService] })
export class CompareModule {}
