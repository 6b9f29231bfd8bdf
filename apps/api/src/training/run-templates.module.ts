/** Run templates (issue 15, item 1): versioned launch definitions over GraphQL, with a checked launch preview. */
import { Module } from '@nestjs/common';
import { RunTemplatesLoaders } from './run-templates.loaders';
import { RunTemplateFieldsResolver, RunTemplatesResolver } from './run-templates.resolver';
import { RunTemplatesService } from './run-templates.service';

@Module({ providers: [RunTemplatesService, RunTemplatesResolver, RunTemplateFieldsResolver, RunTemplatesLoaders] })
export class RunTemplatesModule {}
