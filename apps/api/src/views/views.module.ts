/** Services behind the saved-views resolver (registered in graphql/resolvers.ts). */
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRepository, SavedViewsRepository } from '@caliper/persistence';
import { ViewsService } from './views.service';

@Module({
  providers: [
    { provide: SavedViewsRepository, useFactory: (ds: DataSource) => new SavedViewsRepository(ds), inject: [DataSource] },
    {
      provide: ViewsService,
      useFactory: (ds: DataSource, v: SavedViewsRepository, a: AuditRepository) => new ViewsService(ds, v, a),
      inject: [DataSource, SavedViewsRepository, AuditRepository],
    },
  ],
  exports: [ViewsService],
})
export class ViewsModule {}
