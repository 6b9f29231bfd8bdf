/** Checkboxes for a set of project roles, each with what it grants. */
import { useId } from 'react';
import type { ProjectRole } from '../gql/graphql';
import { PROJECT_ROLE_INFO, PROJECT_ROLES, sortRoles } from './roles';

export function RolePicker({
  legend,
  value,
  onChange,
  allowed = PROJECT_ROLES,
  error,
}: {
  legend: string;
  value: readonly ProjectRole[];
  onChange: (roles: ProjectRole[]) => void;
  allowed?: readonly ProjectRole[];
  error?: string | null;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <fieldset className="role-picker" aria-describedby={error ? errorId : undefined}>
      <legend>{legend}</legend>
      {PROJECT_ROLES.filter((r) => allowed.includes(r)).map((role) => (
        <label key={role} className="check">
          <input
            type="checkbox"
            checked={value.includes(role)}
            onChange={(e) => onChange(sortRoles(e.target.checked ? [...value, role] : value.filter((r) => r !== role)))}
          />
          <span>
            <span className="check-label">{PROJECT_ROLE_INFO[role].label}</span>
            <span className="check-hint">{PROJECT_ROLE_INFO[role].grants}</span>
          </span>
        </label>
      ))}
      {error ? (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

export function RoleChips({ roles }: { roles: readonly ProjectRole[] }) {
  if (roles.length === 0) return <span className="muted">none</span>;
  return (
    <ul className="chips" aria-label="Roles">
      {sortRoles(roles).map((role) => (
        <li key={role} className="chip">
          {PROJECT_ROLE_INFO[role]?.label ?? role}
        </li>
      ))}
    </ul>
  );
}
