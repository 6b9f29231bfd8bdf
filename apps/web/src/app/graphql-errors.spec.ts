import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { describeError } from './graphql-errors';

const answered = (code: string, message: string, field?: string) =>
  new CombinedGraphQLErrors({ data: null, errors: [{ message, extensions: { code, ...(field ? { field } : {}) } }] });

describe('what a user is told about a refused request', () => {
  it('does not suggest a user was renamed: usernames never change', () => {
    const unknownUser = describeError(answered('NOT_FOUND', 'No user is called "nobody-here".', 'username'));
    expect(unknownUser.message).toBe('No user is called "nobody-here".');
    expect(unknownUser.hint).not.toMatch(/renamed/);
    expect(unknownUser.hint).toBe('Usernames never change: check the spelling, or ask a system admin to create the account.');
  });

  it('keeps the general hint for other things not found', () => {
    expect(describeError(answered('NOT_FOUND', 'No project "kidney".')).hint).toBe(
      'It may have been renamed or removed, or you may not have access to it.',
    );
    expect(describeError(answered('FORBIDDEN', 'Not allowed.', 'username')).hint).toMatch(/^Your roles do not allow this/);
  });
});
