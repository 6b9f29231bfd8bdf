/**
 * A model's aliases (champion, challenger, …): which version each points at and who may move it.
 * Members who may register point an alias at a version or remove it; a PI protects an alias so
 * only some roles may move it (the API enforces the rule for MLflow clients too). Refusals are
 * shown in the API's words.
 */
import { useState } from 'react';
import { useMutation, useQuery } from '@apollo/client/react';
import type { ProjectRole } from '../gql/graphql';
import { Notice } from '../ui/feedback';
import { RolePicker } from '../ui/RolePicker';
import { PROJECT_ROLE_INFO } from '../ui/roles';
import { DeleteModelAliasMutation, ModelAliasesQuery, SetAliasRuleMutation, SetModelAliasMutation } from './aliases.operations';

const roleName = (r: string) => PROJECT_ROLE_INFO[r.toUpperCase() as ProjectRole]?.label ?? r;

export function ModelAliases({ project, modelName }: { project: { id: string; myPermissions: readonly string[] }; modelName: string }) {
  const { data, refetch } = useQuery(ModelAliasesQuery, { variables: { projectId: project.id, name: modelName } });
  const [setAlias, setting] = useMutation(SetModelAliasMutation);
  const [deleteAlias] = useMutation(DeleteModelAliasMutation);
  const [setRule, ruling] = useMutation(SetAliasRuleMutation);
  const [error, setError] = useState<string | null>(null);
  const [alias, setAliasName] = useState('');
  const [version, setVersion] = useState('');
  const [protecting, setProtecting] = useState<string | null>(null);
  const [roles, setRoles] = useState<ProjectRole[]>([]);
  const canMove = project.myPermissions.includes('model.register');
  const canProtect = project.myPermissions.includes('project.update');
  if (!data) return null;
  const model = data.registeredModel;
  const pointed = model.versions.flatMap((v) => v.aliases.map((a) => ({ alias: a, version: v.version })));
  const rules = new Map(model.aliasRules.map((r) => [r.alias, r.roles]));
  const names = [...new Set([...pointed.map((p) => p.alias), ...rules.keys()])].sort();
  const run = async (what: () => Promise<unknown>) => {
    setError(null);
    try {
      await what();
      await refetch();
      return true;
    } catch (e) {
      setError((e as Error).message);
      return false;
    }
  };

  return (
    <section className="panel" aria-labelledby="model-aliases-title">
      <div className="panel-header">
        <h2 id="model-aliases-title">Aliases</h2>
      </div>
      {error ? (
        <Notice kind="error" title="Not changed">
          <p>{error}</p>
        </Notice>
      ) : null}
      {names.length ? (
        <table className="table" aria-label="Aliases">
          <thead>
            <tr>
              <th scope="col">Alias</th>
              <th scope="col">Version</th>
              <th scope="col">Who may move it</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {names.map((name) => {
              const at = pointed.find((p) => p.alias === name);
              const rule = rules.get(name);
              return (
                <tr key={name}>
                  <th scope="row" className="mono">
                    {name}
                  </th>
                  <td>{at ? `version ${at.version}` : <span className="muted">not set</span>}</td>
                  <td>{rule ? `Protected: ${rule.map(roleName).join(' or ')}` : <span className="muted">anyone who may register</span>}</td>
                  <td className="model-alias-actions">
                    {canMove && at ? (
                      <button
                        type="button"
                        className="btn btn-quiet"
                        onClick={() =>
                          void run(() => deleteAlias({ variables: { input: { projectId: project.id, modelName, alias: name } } }))
                        }
                      >
                        Remove {name}
                      </button>
                    ) : null}
                    {canProtect ? (
                      <button
                        type="button"
                        className="btn btn-quiet"
                        onClick={() => {
                          setProtecting(name);
                          setRoles((rule ?? []).map((r) => r.toUpperCase() as ProjectRole));
                        }}
                      >
                        Who may move {name}…
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <p className="muted">No aliases yet.</p>
      )}
      {canProtect && protecting !== null ? (
        <form
          className="form"
          aria-label={`Who may move ${protecting}`}
          onSubmit={(e) => {
            e.preventDefault();
            void run(() =>
              setRule({
                variables: { input: { projectId: project.id, modelName, alias: protecting, roles: roles.map((r) => r.toLowerCase()) } },
              }),
            ).then((ok) => ok && setProtecting(null));
          }}
        >
          <RolePicker legend={`Roles that may move ${protecting} (none: anyone who may register)`} value={roles} onChange={setRoles} />
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={ruling.loading}>
              Save rule
            </button>
            <button type="button" className="btn btn-quiet" onClick={() => setProtecting(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {canMove && model.versions.length ? (
        <form
          className="form model-alias-form"
          aria-label="Point an alias"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() =>
              setAlias({ variables: { input: { projectId: project.id, modelName, alias: alias.trim(), version: Number(version) } } }),
            ).then((ok) => ok && setAliasName(''));
          }}
        >
          <label>
            Alias
            <input value={alias} onChange={(e) => setAliasName(e.target.value)} required maxLength={255} pattern="[A-Za-z0-9_\-]+" />
          </label>
          <label>
            Version
            <select value={version} onChange={(e) => setVersion(e.target.value)} required>
              <option value="">Choose…</option>
              {model.versions.map((v) => (
                <option key={v.id} value={v.version}>
                  {v.version}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="btn" disabled={setting.loading}>
            Point alias
          </button>
        </form>
      ) : null}
    </section>
  );
}
