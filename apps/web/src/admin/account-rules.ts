/** What the API accepts for an account's username and password, checked in the forms before a request is sent. */

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,62}$/;
export const MIN_PASSWORD_LENGTH = 12;
