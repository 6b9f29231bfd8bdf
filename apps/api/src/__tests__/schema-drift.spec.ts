import { readFileSync } from 'node:fs';
import { printApiSchema, SCHEMA_FILE } from '../graphql/schema-sdl';

describe('GraphQL schema file', () => {
  it('matches the schema the resolvers produce (run `npm run graphql:schema` after changing them)', async () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(await printApiSchema());
  });
});
