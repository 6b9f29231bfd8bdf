/** Authorisation-sweep sample calls for the projects feature's root fields (see testing/access-samples.ts). */
import { defineAccessSamples } from '../testing/access-samples';

export const ACCESS_SAMPLES = defineAccessSamples({
  projects: () => ({ query: '{ projects { id } }' }),
  project: (f) => ({ query: 'query($s: String!) { project(slug: $s) { id } }', variables: { s: f.slug } }),
  memberCandidates: (f) => ({
    query: 'query($p: ID!) { memberCandidates(input: { projectId: $p, search: "a" }) { username } }',
    variables: { p: f.projectId },
  }),
  piCandidates: () => ({ query: '{ piCandidates(input: { search: "a" }) { username } }' }),
  createProject: () => ({ query: 'mutation { createProject(input: { slug: "sweep-new", name: "n" }) { id } }' }),
  updateProject: (f) => ({
    query: 'mutation($p: ID!) { updateProject(input: { projectId: $p, name: "renamed" }) { id } }',
    variables: { p: f.projectId },
  }),
  addProjectMember: (f) => ({
    query: 'mutation($p: ID!) { addProjectMember(input: { projectId: $p, username: "admin", roles: [VIEWER] }) { roles } }',
    variables: { p: f.projectId },
  }),
  setProjectMemberRoles: (f) => ({
    query: 'mutation($p: ID!, $u: ID!) { setProjectMemberRoles(input: { projectId: $p, userId: $u, roles: [VIEWER] }) { roles } }',
    variables: { p: f.projectId, u: f.memberId },
  }),
  removeProjectMember: (f) => ({
    query: 'mutation($p: ID!, $u: ID!) { removeProjectMember(input: { projectId: $p, userId: $u }) }',
    variables: { p: f.projectId, u: f.memberId },
  }),
});
