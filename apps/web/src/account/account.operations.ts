/** GraphQL operations for the signed-in user's own account. */
import { graphql } from '../gql';

export const ChangeMyPasswordMutation = graphql(`
  mutation ChangeMyPassword($input: ChangeMyPasswordInput!) {
    changeMyPassword(input: $input)
  }
`);
