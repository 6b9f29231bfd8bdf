/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Users {\n    users {\n      id\n      username\n      displayName\n      email\n      kind\n      globalRole\n      isActive\n      createdAt\n      deactivatedAt\n    }\n  }\n": typeof types.UsersDocument,
    "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      id\n      username\n    }\n  }\n": typeof types.CreateUserDocument,
    "\n  mutation DeactivateUser($input: DeactivateUserInput!) {\n    deactivateUser(input: $input) {\n      id\n      isActive\n      deactivatedAt\n    }\n  }\n": typeof types.DeactivateUserDocument,
    "\n  query Me {\n    me {\n      user {\n        id\n        username\n        displayName\n        kind\n        globalRole\n      }\n      globalPermissions\n    }\n  }\n": typeof types.MeDocument,
    "\n  query AuditEvents($filter: AuditEventFilter, $first: Int!, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          seq\n          time\n          actorId\n          actorLabel\n          action\n          entityType\n          entityId\n          projectId\n          before\n          after\n          reason\n          prevHash\n          hash\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.AuditEventsDocument,
    "\n  query AuditChainStatus {\n    auditChainStatus {\n      ok\n      checkedEvents\n      lastSeq\n      lastHash\n      brokenAtSeq\n      problem\n      checkpointsChecked\n      verifiedAt\n    }\n  }\n": typeof types.AuditChainStatusDocument,
    "\n  query Projects {\n    projects {\n      id\n      slug\n      name\n      description\n      createdAt\n      archivedAt\n      myRoles\n      myPermissions\n      memberCount\n    }\n  }\n": typeof types.ProjectsDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      id\n      slug\n      name\n    }\n  }\n": typeof types.CreateProjectDocument,
    "\n  query Project($slug: String!) {\n    project(slug: $slug) {\n      id\n      slug\n      name\n      description\n      createdAt\n      archivedAt\n      myRoles\n      myPermissions\n      memberCount\n      members {\n        user {\n          id\n          username\n          displayName\n          kind\n          isActive\n        }\n        roles\n        createdAt\n        updatedAt\n      }\n      apiTokens {\n        id\n        name\n        roles\n        runId\n        owner {\n          id\n          username\n          displayName\n        }\n        createdAt\n        expiresAt\n        revokedAt\n        lastUsedAt\n      }\n    }\n  }\n": typeof types.ProjectDocument,
    "\n  mutation UpdateProject($input: UpdateProjectInput!) {\n    updateProject(input: $input) {\n      id\n      name\n      description\n    }\n  }\n": typeof types.UpdateProjectDocument,
    "\n  mutation AddProjectMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) {\n      user {\n        id\n        username\n      }\n      roles\n    }\n  }\n": typeof types.AddProjectMemberDocument,
    "\n  mutation SetProjectMemberRoles($input: SetProjectMemberRolesInput!) {\n    setProjectMemberRoles(input: $input) {\n      user {\n        id\n      }\n      roles\n    }\n  }\n": typeof types.SetProjectMemberRolesDocument,
    "\n  mutation RemoveProjectMember($input: RemoveProjectMemberInput!) {\n    removeProjectMember(input: $input)\n  }\n": typeof types.RemoveProjectMemberDocument,
    "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      token\n      apiToken {\n        id\n        name\n        roles\n        expiresAt\n      }\n    }\n  }\n": typeof types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": typeof types.RevokeApiTokenDocument,
};
const documents: Documents = {
    "\n  query Users {\n    users {\n      id\n      username\n      displayName\n      email\n      kind\n      globalRole\n      isActive\n      createdAt\n      deactivatedAt\n    }\n  }\n": types.UsersDocument,
    "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      id\n      username\n    }\n  }\n": types.CreateUserDocument,
    "\n  mutation DeactivateUser($input: DeactivateUserInput!) {\n    deactivateUser(input: $input) {\n      id\n      isActive\n      deactivatedAt\n    }\n  }\n": types.DeactivateUserDocument,
    "\n  query Me {\n    me {\n      user {\n        id\n        username\n        displayName\n        kind\n        globalRole\n      }\n      globalPermissions\n    }\n  }\n": types.MeDocument,
    "\n  query AuditEvents($filter: AuditEventFilter, $first: Int!, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          seq\n          time\n          actorId\n          actorLabel\n          action\n          entityType\n          entityId\n          projectId\n          before\n          after\n          reason\n          prevHash\n          hash\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.AuditEventsDocument,
    "\n  query AuditChainStatus {\n    auditChainStatus {\n      ok\n      checkedEvents\n      lastSeq\n      lastHash\n      brokenAtSeq\n      problem\n      checkpointsChecked\n      verifiedAt\n    }\n  }\n": types.AuditChainStatusDocument,
    "\n  query Projects {\n    projects {\n      id\n      slug\n      name\n      description\n      createdAt\n      archivedAt\n      myRoles\n      myPermissions\n      memberCount\n    }\n  }\n": types.ProjectsDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      id\n      slug\n      name\n    }\n  }\n": types.CreateProjectDocument,
    "\n  query Project($slug: String!) {\n    project(slug: $slug) {\n      id\n      slug\n      name\n      description\n      createdAt\n      archivedAt\n      myRoles\n      myPermissions\n      memberCount\n      members {\n        user {\n          id\n          username\n          displayName\n          kind\n          isActive\n        }\n        roles\n        createdAt\n        updatedAt\n      }\n      apiTokens {\n        id\n        name\n        roles\n        runId\n        owner {\n          id\n          username\n          displayName\n        }\n        createdAt\n        expiresAt\n        revokedAt\n        lastUsedAt\n      }\n    }\n  }\n": types.ProjectDocument,
    "\n  mutation UpdateProject($input: UpdateProjectInput!) {\n    updateProject(input: $input) {\n      id\n      name\n      description\n    }\n  }\n": types.UpdateProjectDocument,
    "\n  mutation AddProjectMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) {\n      user {\n        id\n        username\n      }\n      roles\n    }\n  }\n": types.AddProjectMemberDocument,
    "\n  mutation SetProjectMemberRoles($input: SetProjectMemberRolesInput!) {\n    setProjectMemberRoles(input: $input) {\n      user {\n        id\n      }\n      roles\n    }\n  }\n": types.SetProjectMemberRolesDocument,
    "\n  mutation RemoveProjectMember($input: RemoveProjectMemberInput!) {\n    removeProjectMember(input: $input)\n  }\n": types.RemoveProjectMemberDocument,
    "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      token\n      apiToken {\n        id\n        name\n        roles\n        expiresAt\n      }\n    }\n  }\n": types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": types.RevokeApiTokenDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Users {\n    users {\n      id\n      username\n      displayName\n      email\n      kind\n      globalRole\n      isActive\n      createdAt\n      deactivatedAt\n    }\n  }\n"): (typeof documents)["\n  query Users {\n    users {\n      id\n      username\n      displayName\n      email\n      kind\n      globalRole\n      isActive\n      createdAt\n      deactivatedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      id\n      username\n    }\n  }\n"): (typeof documents)["\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      id\n      username\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeactivateUser($input: DeactivateUserInput!) {\n    deactivateUser(input: $input) {\n      id\n      isActive\n      deactivatedAt\n    }\n  }\n"): (typeof documents)["\n  mutation DeactivateUser($input: DeactivateUserInput!) {\n    deactivateUser(input: $input) {\n      id\n      isActive\n      deactivatedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      user {\n        id\n        username\n        displayName\n        kind\n        globalRole\n      }\n      globalPermissions\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      user {\n        id\n        username\n        displayName\n        kind\n        globalRole\n      }\n      globalPermissions\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditEvents($filter: AuditEventFilter, $first: Int!, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          seq\n          time\n          actorId\n          actorLabel\n          action\n          entityType\n          entityId\n          projectId\n          before\n          after\n          reason\n          prevHash\n          hash\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuditEvents($filter: AuditEventFilter, $first: Int!, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          seq\n          time\n          actorId\n          actorLabel\n          action\n          entityType\n          entityId\n          projectId\n          before\n          after\n          reason\n          prevHash\n          hash\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditChainStatus {\n    auditChainStatus {\n      ok\n      checkedEvents\n      lastSeq\n      lastHash\n      brokenAtSeq\n      problem\n      checkpointsChecked\n      verifiedAt\n    }\n  }\n"): (typeof documents)["\n  query AuditChainStatus {\n    auditChainStatus {\n      ok\n      checkedEvents\n      lastSeq\n      lastHash\n      brokenAtSeq\n      problem\n      checkpointsChecked\n      verifiedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Projects {\n    projects {\n      id\n      slug\n      name\n      description\n      createdAt\n      archivedAt\n      myRoles\n      myPermissions\n      memberCount\n    }\n  }\n"): (typeof documents)["\n  query Projects {\n    projects {\n      id\n      slug\n      name\n      description\n      createdAt\n      archivedAt\n      myRoles\n      myPermissions\n      memberCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      id\n      slug\n      name\n    }\n  }\n"): (typeof documents)["\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      id\n      slug\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Project($slug: String!) {\n    project(slug: $slug) {\n      id\n      slug\n      name\n      description\n      createdAt\n      archivedAt\n      myRoles\n      myPermissions\n      memberCount\n      members {\n        user {\n          id\n          username\n          displayName\n          kind\n          isActive\n        }\n        roles\n        createdAt\n        updatedAt\n      }\n      apiTokens {\n        id\n        name\n        roles\n        runId\n        owner {\n          id\n          username\n          displayName\n        }\n        createdAt\n        expiresAt\n        revokedAt\n        lastUsedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query Project($slug: String!) {\n    project(slug: $slug) {\n      id\n      slug\n      name\n      description\n      createdAt\n      archivedAt\n      myRoles\n      myPermissions\n      memberCount\n      members {\n        user {\n          id\n          username\n          displayName\n          kind\n          isActive\n        }\n        roles\n        createdAt\n        updatedAt\n      }\n      apiTokens {\n        id\n        name\n        roles\n        runId\n        owner {\n          id\n          username\n          displayName\n        }\n        createdAt\n        expiresAt\n        revokedAt\n        lastUsedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProject($input: UpdateProjectInput!) {\n    updateProject(input: $input) {\n      id\n      name\n      description\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateProject($input: UpdateProjectInput!) {\n    updateProject(input: $input) {\n      id\n      name\n      description\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddProjectMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) {\n      user {\n        id\n        username\n      }\n      roles\n    }\n  }\n"): (typeof documents)["\n  mutation AddProjectMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) {\n      user {\n        id\n        username\n      }\n      roles\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetProjectMemberRoles($input: SetProjectMemberRolesInput!) {\n    setProjectMemberRoles(input: $input) {\n      user {\n        id\n      }\n      roles\n    }\n  }\n"): (typeof documents)["\n  mutation SetProjectMemberRoles($input: SetProjectMemberRolesInput!) {\n    setProjectMemberRoles(input: $input) {\n      user {\n        id\n      }\n      roles\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveProjectMember($input: RemoveProjectMemberInput!) {\n    removeProjectMember(input: $input)\n  }\n"): (typeof documents)["\n  mutation RemoveProjectMember($input: RemoveProjectMemberInput!) {\n    removeProjectMember(input: $input)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      token\n      apiToken {\n        id\n        name\n        roles\n        expiresAt\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      token\n      apiToken {\n        id\n        name\n        roles\n        expiresAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;