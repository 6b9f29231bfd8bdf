import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-alias permissions (issue 14, item 3): an alias of a registered model (e.g. champion) may be
 * protected so that only callers holding one of the listed project roles may point it at a
 * version or remove it, through any transport (MLflow's set-alias included). An alias without a
 * rule is moved by whoever may edit the model, as before.
 */
export class AliasRules1766000000000 implements MigrationInterface {
  name = 'AliasRules1766000000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "registered_model_alias_rules" ("registered_model_id" uuid NOT NULL, "alias" text NOT NULL, "roles" text[] NOT NULL, "updated_by" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_registered_model_alias_rules" PRIMARY KEY ("registered_model_id", "alias"), CONSTRAINT "CHK_registered_model_alias_rules_roles" CHECK (cardinality(roles) > 0 AND roles <@ ARRAY['viewer', 'researcher', 'pi', 'clinical_approver', 'qa']::text[]), CONSTRAINT "FK_registered_model_alias_rules_model" FOREIGN KEY ("registered_model_id") REFERENCES "registered_models"("id"), CONSTRAINT "FK_registered_model_alias_rules_user" FOREIGN KEY ("updated_by") REFERENCES "users"("id"))`,
    );
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON registered_model_alias_rules TO caliper_app`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE registered_model_alias_rules`);
  }
}
