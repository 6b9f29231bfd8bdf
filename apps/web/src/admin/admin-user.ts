/** A user account as the admin page lists it. */
import type { UsersQuery } from '../gql/graphql';

export type AdminUser = UsersQuery['users'][number];
