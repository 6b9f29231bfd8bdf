/** GraphQL operations for user administration. */
import { graphql } from '../gql';

export const UsersQuery = graphql(`
  query Users {
    users {
      id
      username
      displayName
      email
      kind
      globalRole
      isActive
      createdAt
      deactivatedAt
    }
  }
`);

export const CreateUserMutation = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      id
      username
    }
  }
`);

export const DeactivateUserMutation = graphql(`
  mutation DeactivateUser($input: DeactivateUserInput!) {
    deactivateUser(input: $input) {
      id
      isActive
      deactivatedAt
    }
  }
`);

export const SetUserGlobalRoleMutation = graphql(`
  mutation SetUserGlobalRole($input: SetUserGlobalRoleInput!) {
    setUserGlobalRole(input: $input) {
      id
      globalRole
    }
  }
`);

export const ReactivateUserMutation = graphql(`
  mutation ReactivateUser($input: ReactivateUserInput!) {
    reactivateUser(input: $input) {
      id
      isActive
      deactivatedAt
    }
  }
`);

export const ResetUserPasswordMutation = graphql(`
  mutation ResetUserPassword($input: ResetUserPasswordInput!) {
    resetUserPassword(input: $input) {
      id
    }
  }
`);
