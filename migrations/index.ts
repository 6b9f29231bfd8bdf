/** Every migration, in order. Migrations are written and reviewed by hand; never synchronize. */
import { Foundation1764205200000 } from './1764205200000-Foundation';
import { OutboxSchedule1764300000000 } from './1764300000000-OutboxSchedule';
import { Tracking1764400000000 } from './1764400000000-Tracking';
import { Registry1764500000000 } from './1764500000000-Registry';
import { MetricTiers1764600000000 } from './1764600000000-MetricTiers';
import { RunSearchIndexes1764700000000 } from './1764700000000-RunSearchIndexes';
import { SavedViews1764800000000 } from './1764800000000-SavedViews';
import { AuditCheckpoints1764900000000 } from './1764900000000-AuditCheckpoints';
import { Datasets1765100000000 } from './1765100000000-Datasets';
import { DatasetImports1765200000000 } from './1765200000000-DatasetImports';
import { DatasetVerifications1765300000000 } from './1765300000000-DatasetVerifications';
import { DatasetImportDeidentify1765300000001 } from './1765300000001-DatasetImportDeidentify';
import { DatasetSplitMode1765400000000 } from './1765400000000-DatasetSplitMode';
import { RunInputsDatasetVersionIndex1765500000000 } from './1765500000000-RunInputsDatasetVersionIndex';
import { MetricBest1765600000000 } from './1765600000000-MetricBest';
import { ModelVersionValidations1765700000000 } from './1765700000000-ModelVersionValidations';
import { Promotion1765800000000 } from './1765800000000-Promotion';
import { Webhooks1765900000000 } from './1765900000000-Webhooks';
import { AliasRules1766000000000 } from './1766000000000-AliasRules';
import { RunTemplates1766100000000 } from './1766100000000-RunTemplates';
import { RunExecutions1766200000000 } from './1766200000000-RunExecutions';
import { RunSweeps1766300000000 } from './1766300000000-RunSweeps';
import { LaunchedRunOutput1766400000000 } from './1766400000000-LaunchedRunOutput';

export const MIGRATIONS = [
  Foundation1764205200000,
  OutboxSchedule1764300000000,
  Tracking1764400000000,
  Registry1764500000000,
  MetricTiers1764600000000,
  RunSearchIndexes1764700000000,
  SavedViews1764800000000,
  AuditCheckpoints1764900000000,
  Datasets1765100000000,
  DatasetImports1765200000000,
  DatasetVerifications1765300000000,
  DatasetImportDeidentify1765300000001,
  DatasetSplitMode1765400000000,
  RunInputsDatasetVersionIndex1765500000000,
  MetricBest1765600000000,
  ModelVersionValidations1765700000000,
  Promotion1765800000000,
  Webhooks1765900000000,
  AliasRules1766000000000,
  RunTemplates1766100000000,
  RunExecutions1766200000000,
  RunSweeps1766300000000,
  LaunchedRunOutput1766400000000,
];
