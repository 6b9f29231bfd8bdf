/** Saved views of the runs table and the compare page, and the runs they name. */
import { Module } from '@nestjs/common';
import { TrackingModule } from '../tracking/tracking.module';
import { ViewsResolver } from './views.resolver';
import { ViewsService } from './views.service';

@Module({ imports: [TrackingModule], providers: [ViewsService, ViewsResolver], exports: [ViewsService] })
export class ViewsModule {}
