/** GraphQL operations for projects, their members and their API tokens. */
import { graphql } from '../gql';

export const ProjectsQuery = graphql(`
  query Projects {
    projects {
      ...ProjectSummaryFields
    }
  }
`);

/** A project as the projects list and the project page both show it. */
export const ProjectSummaryFields = graphql(`
  fragment ProjectSummaryFields on Project {
    id
    slug
    name
    description
    createdAt
    archivedAt
    myRoles
    myPermissions
    memberCount
  }
`);

export const CreateProjectMutation = graphql(`
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) {
      id
      slug
      name
    }
  }
`);

export const ProjectQuery = graphql(`
  query Project($slug: String!) {
    project(slug: $slug) {
      ...ProjectSummaryFields
      members {
        user {
          ...UserRefFields
          kind
          isActive
        }
        roles
        createdAt
        updatedAt
      }
      apiTokens {
        id
        name
        roles
        runId
        owner {
          ...UserRefFields
        }
        createdAt
        expiresAt
        revokedAt
        lastUsedAt
      }
    }
  }
`);

export const UpdateProjectMutation = graphql(`
  mutation UpdateProject($input: UpdateProjectInput!) {
    updateProject(input: $input) {
      id
      name
      description
    }
  }
`);

export const AddProjectMemberMutation = graphql(`
  mutation AddProjectMember($input: AddProjectMemberInput!) {
    addProjectMember(input: $input) {
      user {
        id
        username
      }
      roles
    }
  }
`);

export const SetProjectMemberRolesMutation = graphql(`
  mutation SetProjectMemberRoles($input: SetProjectMemberRolesInput!) {
    setProjectMemberRoles(input: $input) {
      user {
        id
      }
      roles
    }
  }
`);

export const RemoveProjectMemberMutation = graphql(`
  mutation RemoveProjectMember($input: RemoveProjectMemberInput!) {
    removeProjectMember(input: $input)
  }
`);

export const CreateApiTokenMutation = graphql(`
  mutation CreateApiToken($input: CreateApiTokenInput!) {
    createApiToken(input: $input) {
      token
      apiToken {
        id
        name
        roles
        expiresAt
      }
    }
  }
`);

export const RevokeApiTokenMutation = graphql(`
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id) {
      id
      revokedAt
    }
  }
`);

/** Active accounts not in the project yet, for the Add member picker (member.manage). */
export const MemberCandidatesQuery = graphql(`
  query MemberCandidates($input: MemberCandidatesInput!) {
    memberCandidates(input: $input) {
      username
      displayName
    }
  }
`);

/** Active people, for the new project form's PI picker (project.create). */
export const PiCandidatesQuery = graphql(`
  query PiCandidates($input: PiCandidatesInput!) {
    piCandidates(input: $input) {
      username
      displayName
    }
  }
`);
