/** GraphQL operations of a model's aliases and their protection rules (issue 14, item 3). */
import { graphql } from '../gql';

export const ModelAliasesQuery = graphql(`
  query ModelAliases($projectId: ID!, $name: String!) {
    registeredModel(projectId: $projectId, name: $name) {
      id
      aliasRules {
        alias
        roles
      }
      versions {
        id
        version
        aliases
      }
    }
  }
`);

export const SetModelAliasMutation = graphql(`
  mutation SetModelAlias($input: SetModelAliasInput!) {
    setModelAlias(input: $input) {
      id
      version
      aliases
    }
  }
`);

export const DeleteModelAliasMutation = graphql(`
  mutation DeleteModelAlias($input: DeleteModelAliasInput!) {
    deleteModelAlias(input: $input)
  }
`);

export const SetAliasRuleMutation = graphql(`
  mutation SetAliasRule($input: SetAliasRuleInput!) {
    setAliasRule(input: $input) {
      alias
      roles
    }
  }
`);
