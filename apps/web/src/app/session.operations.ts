/** Who is signed in, and what they may do outside any project. */
import { graphql } from '../gql';

export const MeQuery = graphql(`
  query Me {
    me {
      user {
        id
        username
        displayName
        kind
        globalRole
      }
      globalPermissions
    }
  }
`);
