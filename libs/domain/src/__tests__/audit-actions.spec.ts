import { AUDIT_ACTIONS, auditActionProblem, defineAuditActions, knownAuditActions } from '../audit-actions';
import { RUN_STATUS_VALUES } from '../tracking';

describe('audit actions', () => {
  it('lists each action once', () => {
    const repeated = AUDIT_ACTIONS.filter((a, i) => AUDIT_ACTIONS.indexOf(a) !== i);
    expect(repeated).toEqual([]);
  });

  it('names every action <entity>.<what happened>, both snake_case', () => {
    const misnamed = AUDIT_ACTIONS.filter((a) => auditActionProblem(a, new Set()) !== null);
    expect(misnamed).toEqual([]);
    expect(auditActionProblem('Note.Added', new Set())).toMatch(/snake_case/);
    expect(auditActionProblem('note', new Set())).toMatch(/snake_case/);
  });

  it("registers a feature's actions beside the core's and refuses misnamed or repeated ones", () => {
    // The names a feature would declare through FeatureAuditActions; cast here, as no test feature augments the interface.
    const define = defineAuditActions as (actions: readonly string[]) => readonly string[];
    expect(define(['spec_note.added', 'spec_note.removed'])).toEqual(['spec_note.added', 'spec_note.removed']);
    expect(knownAuditActions().slice(0, AUDIT_ACTIONS.length)).toEqual([...AUDIT_ACTIONS]);
    expect(knownAuditActions()).toEqual(expect.arrayContaining(['spec_note.added', 'spec_note.removed']));
    expect(() => define(['spec_note.added'])).toThrow('audit action "spec_note.added" is already defined');
    expect(() => define(['run.created'])).toThrow('already defined');
    expect(() => define(['spec_other.ok', 'SpecOther.Bad'])).toThrow('"SpecOther.Bad" is not <entity>.<what_happened>');
    // Nothing of a refused list is registered.
    expect(knownAuditActions()).not.toContain('spec_other.ok');
  });

  it('has a run.<status> action for every run status a status change can write', () => {
    const missing = RUN_STATUS_VALUES.map((s) => `run.${s}`).filter((a) => !(AUDIT_ACTIONS as readonly string[]).includes(a));
    expect(missing).toEqual([]);
  });
});
