/**
 * The GraphQL limits (graphql/limits.ts) against real documents: every operation the web app
 * sends passes them with room to spare, and the shapes of the issue 10 attack (hundreds of
 * aliases of a large history, deep nesting, directive floods) are refused before execution.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, DocumentNode, parse, print, validate } from 'graphql';
import { costlyDocumentProblem, GRAPHQL_VALIDATION_RULES, MAX_ALIASES, MAX_DOCUMENT_TOKENS } from '../limits';
import { SCHEMA_FILE } from '../schema-sdl';

const schema = buildSchema(readFileSync(SCHEMA_FILE, 'utf8'));
const WEB_DOCUMENTS = path.resolve(__dirname, '../../../../web/src/gql/graphql.ts');

/** The web app's compiled operations, as graphql-codegen wrote them (one JSON document per line). */
function webDocuments(): [string, DocumentNode][] {
  const text = readFileSync(WEB_DOCUMENTS, 'utf8');
  // Both groups always participate.
  return [...text.matchAll(/^export const (\w+Document) = (\{.*\}) as unknown as DocumentNode/gm)].map(([, name = '', json = '']) => [
    name,
    JSON.parse(json) as DocumentNode,
  ]);
}

/** What the API would refuse: the cost gate's problem, then Apollo's extra validation rules. */
const errorsOf = (doc: DocumentNode) => {
  const costly = costlyDocumentProblem(schema, print(doc));
  return costly ? [costly] : validate(schema, doc, GRAPHQL_VALIDATION_RULES).map((e) => e.message);
};

describe('GraphQL request limits', () => {
  it('admits every operation of the web app', () => {
    const docs = webDocuments();
    expect(docs.length).toBeGreaterThan(30);
    for (const [name, doc] of docs) expect({ name, errors: errorsOf(doc) }).toEqual({ name, errors: [] });
  });

  it('refuses more aliases than the limit, naming it', () => {
    const aliases = (n: number) =>
      parse(
        `query($r: String!, $n: Int) { ${Array.from({ length: n }, (_, i) => `a${i}: run(runId: $r) { metricHistory(key: "loss", first: $n) { steps } }`).join(' ')} }`,
      );
    expect(errorsOf(aliases(MAX_ALIASES))).toEqual([]);
    expect(errorsOf(aliases(200))).toEqual([`Aliases limit of ${MAX_ALIASES} exceeded, found 200.`]);
  });

  it('refuses a literal page size whose static cost is far over the limit (a variable one is charged at run time)', () => {
    const big = parse(
      `query($r: String!) { a: run(runId: $r) { metricHistory(key: "loss", first: 25000) { steps } } b: run(runId: $r) { metricHistory(key: "acc", first: 25000) { steps } } }`,
    );
    expect(errorsOf(big).join(' ')).toMatch(/Query Cost limit of \d+ exceeded/);
  });

  it('stops parsing a document past the token limit', () => {
    const huge = `{ ${'me { user { id } } '.repeat(MAX_DOCUMENT_TOKENS)} }`;
    expect(costlyDocumentProblem(schema, huge)).toBe(
      `The GraphQL document holds more than ${MAX_DOCUMENT_TOKENS} tokens; send a smaller document.`,
    );
    expect(costlyDocumentProblem(schema, '{ me { ')).toBeNull(); // malformed: Apollo answers that itself
  });

  it('refuses deep nesting and directive floods', () => {
    const deep = parse(
      `{ projects { members { user { id } } experiments { runs(first: 1) { edges { node { experiment { runs(first: 1) { edges { node { runId } } } } } } } } } }`,
    );
    expect(errorsOf(deep).join(' ')).toMatch(/exceeds maximum operation depth/);
    const directives = parse(`{ me { user { id ${'@include(if: true) '.repeat(50)} } } }`);
    expect(errorsOf(directives).join(' ')).toMatch(/directives/i);
  });
});
