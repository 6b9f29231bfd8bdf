import { AUDIT_ACTIONS } from '../audit-actions';
import { RUN_STATUS_VALUES } from '../tracking';

describe('audit actions', () => {
  it('lists each action once', () => {
    const repeated = AUDIT_ACTIONS.filter((a, i) => AUDIT_ACTIONS.indexOf(a) !== i);
    expect(repeated).toEqual([]);
  });

  it('names every action <entity>.<what happened>, both snake_case', () => {
    const misnamed = AUDIT_ACTIONS.filter((a) => !/^[a-z]+(_[a-z]+)*\.[a-z]+(_[a-z]+)*$/.test(a));
    expect(misnamed).toEqual([]);
  });

  it('has a run.<status> action for every run status a status change can write', () => {
    const missing = RUN_STATUS_VALUES.map((s) => `run.${s}`).filter((a) => !(AUDIT_ACTIONS as readonly string[]).includes(a));
    expect(missing).toEqual([]);
  });
});
