/** The signed-in user and their global permissions, loaded once by the shell for every page. */
import { createContext, useContext, type ReactNode } from 'react';
import type { MeQuery } from '../gql/graphql';

export interface Session {
  user: MeQuery['me']['user'];
  globalPermissions: readonly string[];
  /** A permission held outside any project (project.create, user.manage, audit.read). */
  canGlobally(permission: string): boolean;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ me, children }: { me: MeQuery['me']; children: ReactNode }) {
  const session: Session = {
    user: me.user,
    globalPermissions: me.globalPermissions,
    canGlobally: (permission) => me.globalPermissions.includes(permission),
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession is used outside the signed-in shell');
  return session;
}
