/**
 * What one GraphQL request may cost (issue 10, finding 2). Before Apollo, maintained validation
 * rules (GraphQL Armor) bound the document: tokens, aliases, directives and a static cost; then
 * Apollo checks depth and that literals are storable text. During execution, fields that return series charge the
 * values they return against a per-request budget, so no arrangement of aliases or fragments can
 * make one request read millions of points.
 */
import { DomainError } from '@caliper/domain';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import depthLimit from 'graphql-depth-limit';
import { DocumentNode, GraphQLSchema, parse, validate, ValidationRule } from 'graphql';
import type { NextFunction, Request, Response } from 'express';
import { storableStringLiterals } from '../common/text-edge';

/** Deepest query the web app needs is 6; a little headroom, no recursive abuse (project → members → user → …). */
export const MAX_QUERY_DEPTH = 8;
/** The web app uses no aliases; a script comparing a few runs side by side may. */
export const MAX_ALIASES = 10;
export const MAX_DIRECTIVES = 20;
/**
 * Static cost (GraphQL Armor: objects, scalars and literal page sizes, weighted by depth). The
 * web's largest operation costs under 200; one history page of 25,000 points written as a
 * literal costs about 131,000. Page sizes passed as variables are charged at run time instead.
 */
export const MAX_QUERY_COST = 200_000;
/** Values (history points, or series buckets) one request may return across all its fields: two of the largest metricSeries (400 series × 2,000 buckets). */
export const MAX_VALUES_PER_REQUEST = 2_000_000;

/** Tokens one document may hold: the web's largest has a few hundred. Parsing stops past it. */
export const MAX_DOCUMENT_TOKENS = 5_000;

/** GraphQL Armor's rules, which judge a whole operation when they enter it and throw on rejection. */
const ARMOR_RULES: ValidationRule[] = [
  maxAliasesRule({ n: MAX_ALIASES, exposeLimits: true }) as ValidationRule,
  maxDirectivesRule({ n: MAX_DIRECTIVES, exposeLimits: true }) as ValidationRule,
  costLimitRule({ maxCost: MAX_QUERY_COST, exposeLimits: true }) as ValidationRule,
];

/**
 * Why a document is too costly to even validate, or null. It runs before Apollo (graphqlCostGate):
 * reported as ordinary validation errors, the limits would leave GraphQL's own rules to walk the
 * document anyway, and OverlappingFieldsCanBeMerged compares every pair of fields — 20 documents
 * of 200 aliases held the event loop for over a second. Here parsing stops at MAX_DOCUMENT_TOKENS
 * and validation at the first limit broken.
 */
export function costlyDocumentProblem(schema: GraphQLSchema, query: string): string | null {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: MAX_DOCUMENT_TOKENS });
  } catch (err) {
    // Malformed documents are left to Apollo's own answer; only the token limit is decided here (graphql-js 16 words it "contains more that N tokens").
    return /contains more th\w* \d+ tokens/i.test((err as Error).message)
      ? `The GraphQL document holds more than ${MAX_DOCUMENT_TOKENS} tokens; send a smaller document.`
      : null;
  }
  try {
    const errors = validate(schema, document, ARMOR_RULES);
    return errors.length ? errors.map((e) => e.message).join(' ') : null;
  } catch (err) {
    return (err as Error).message.replace(/^Syntax Error: /, '');
  }
}

/** Refuses, before Apollo sees it, a GraphQL request whose document breaks a cost limit (400, GRAPHQL_VALIDATION_FAILED). */
export function graphqlCostGate(schemaOf: () => GraphQLSchema) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.path !== '/graphql') return next();
    const body = req.body as { query?: unknown } | undefined;
    const query = typeof body?.query === 'string' ? body.query : typeof req.query.query === 'string' ? req.query.query : null;
    const problem = query === null ? null : costlyDocumentProblem(schemaOf(), query);
    if (!problem) return next();
    res.status(400).json({ errors: [{ message: problem, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
  };
}

/** Apollo's own validation rules beyond GraphQL's: depth, and storable text in literals. */
export const GRAPHQL_VALIDATION_RULES: ValidationRule[] = [depthLimit(MAX_QUERY_DEPTH), storableStringLiterals];

/** The values one request has asked for so far; each series field charges before it reads. */
export class ValueBudget {
  private spent = 0;

  constructor(private readonly limit = MAX_VALUES_PER_REQUEST) {}

  charge(values: number, what: string): void {
    this.spent += values;
    if (this.spent > this.limit) {
      throw new DomainError(
        'BAD_USER_INPUT',
        `This request asks for more than ${this.limit.toLocaleString('en')} values (${what} alone asks for ${values.toLocaleString('en')}); ask for fewer runs, metrics or points per request, or page through them.`,
      );
    }
  }
}
