/** Authorisation-sweep sample calls for the users feature's root fields (see testing/access-samples.ts). */
import { defineAccessSamples } from '../testing/access-samples';

export const ACCESS_SAMPLES = defineAccessSamples({
  me: () => ({ query: '{ me { user { id } } }' }),
  users: () => ({ query: '{ users { id } }' }),
  createUser: () => ({
    query: 'mutation { createUser(input: { username: "sweep-user", displayName: "s", password: "sweep-password-1" }) { id } }',
  }),
  setUserGlobalRole: (f) => ({
    query: 'mutation($u: ID!) { setUserGlobalRole(input: { userId: $u, globalRole: AUDITOR, reason: "sweep" }) { id } }',
    variables: { u: f.memberId },
  }),
  reactivateUser: (f) => ({
    query: 'mutation($u: ID!) { reactivateUser(input: { userId: $u, reason: "sweep" }) { id } }',
    variables: { u: f.memberId },
  }),
  resetUserPassword: (f) => ({
    query: 'mutation($u: ID!) { resetUserPassword(input: { userId: $u, newPassword: "a-new-password-1" }) { id } }',
    variables: { u: f.memberId },
  }),
  changeMyPassword: () => ({ query: 'mutation { changeMyPassword(input: { currentPassword: "x", newPassword: "a-new-password-1" }) }' }),
  deactivateUser: (f) => ({
    query: 'mutation($u: ID!) { deactivateUser(input: { userId: $u, reason: "sweep" }) { id } }',
    variables: { u: f.memberId },
  }),
});
