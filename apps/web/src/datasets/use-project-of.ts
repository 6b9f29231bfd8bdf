/** The project a dataset belongs to, from the projects list the shell already loaded: its name, slug and what the user may do there. */
import { useQuery } from '@apollo/client/react';
import { ProjectsQuery } from '../projects/projects.operations';

export function useProjectOf(projectId: string | undefined) {
  const { data } = useQuery(ProjectsQuery);
  const project = data?.projects.find((p) => p.id === projectId) ?? null;
  return { project, can: (permission: string) => project?.myPermissions.includes(permission) ?? false };
}
