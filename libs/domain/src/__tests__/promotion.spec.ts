import {
  checkCriteria,
  defaultPolicy,
  DomainError,
  EMPTY_MODEL_CARD,
  gatesOutcome,
  missingCardSections,
  promotionTargetProblem,
  requireModelCard,
  requirePolicy,
  signaturesOutcome,
  signedContentSha256,
  signingRole,
  SigningAttempt,
} from '..';

const attempt = (over: Partial<SigningAttempt> = {}): SigningAttempt => ({
  status: 'awaiting_signatures',
  requestedBy: 'pi-1',
  policy: { requiredRoles: ['pi', 'clinical_approver', 'qa'], requiredSignatures: 3 },
  signatures: [],
  signerId: 'ca-1',
  signerRoles: ['clinical_approver'],
  role: null,
  decision: 'approve',
  reason: null,
  ...over,
});

const refusal = (a: SigningAttempt) => {
  try {
    signingRole(a);
  } catch (e) {
    return [(e as DomainError).code, (e as DomainError).message];
  }
  return null;
};

describe('signingRole', () => {
  it("signs in the signer's one eligible role", () => {
    expect(signingRole(attempt())).toBe('clinical_approver');
    expect(signingRole(attempt({ signerRoles: ['pi', 'qa'], role: 'qa' }))).toBe('qa');
  });

  it.each([
    ['the requester', { signerId: 'pi-1', signerRoles: ['pi'] }, 'FORBIDDEN', /requested this promotion/],
    ['a request still evaluating', { status: 'evaluating' as const }, 'INVALID_STATE', /still being evaluated/],
    ['a rejected request', { status: 'rejected' as const }, 'INVALID_STATE', /is rejected; it no longer takes signatures/],
    [
      'a second signature by one person',
      { signatures: [{ userId: 'ca-1', role: 'clinical_approver', decision: 'approve' as const }] },
      'CONFLICT',
      /already signed/,
    ],
    ['no needed role held', { signerRoles: ['researcher'] }, 'FORBIDDEN', /needs a signature by pi, clinical_approver, qa; you hold none/],
    [
      'a role already signed',
      { signerRoles: ['qa'], signatures: [{ userId: 'qa-2', role: 'qa', decision: 'approve' as const }] },
      'FORBIDDEN',
      /already signed/,
    ],
    ['a role not held', { role: 'qa' }, 'FORBIDDEN', /do not hold the qa role/],
    ['a role not needed', { role: 'viewer' }, 'BAD_USER_INPUT', /'viewer' is not a role this request needs/],
    ['two eligible roles and none named', { signerRoles: ['pi', 'qa'] }, 'BAD_USER_INPUT', /say which role/],
    ['a rejection without reason', { decision: 'reject' as const, reason: '  ' }, 'BAD_USER_INPUT', /rejection needs a reason/],
  ])('refuses %s', (_what, over, code, message) => {
    expect(refusal(attempt(over))).toEqual([code, expect.stringMatching(message)]);
  });
});

describe('signaturesOutcome', () => {
  const policy = { requiredSignatures: 2 };
  it('is open until N distinct roles approved, rejected at the first rejection', () => {
    expect(signaturesOutcome(policy, [{ userId: 'a', role: 'pi', decision: 'approve' }])).toBe('open');
    expect(
      signaturesOutcome(policy, [
        { userId: 'a', role: 'pi', decision: 'approve' },
        { userId: 'b', role: 'qa', decision: 'approve' },
      ]),
    ).toBe('approved');
    expect(
      signaturesOutcome(policy, [
        { userId: 'a', role: 'pi', decision: 'approve' },
        { userId: 'b', role: 'qa', decision: 'reject' },
      ]),
    ).toBe('rejected');
  });
});

describe('policies', () => {
  it('defaults to pi + clinical_approver + qa, all three, for clinical', () => {
    expect(defaultPolicy('clinical')).toMatchObject({
      requiredRoles: ['pi', 'clinical_approver', 'qa'],
      requiredSignatures: 3,
      requireCard: true,
    });
  });

  it.each([
    [{ ...defaultPolicy('staging'), requiredSignatures: 4 }, 'segmentation', /requiredSignatures cannot exceed/],
    [{ ...defaultPolicy('staging'), requiredRoles: ['pi', 'pi'] }, 'segmentation', /a role is named once/],
    [
      { ...defaultPolicy('staging'), acceptance: [{ metric: 'dice', op: '>=', threshold: 0.8 }] },
      'segmentation',
      /need a test dataset version/,
    ],
    [{ ...defaultPolicy('clinical'), requiredRoles: ['pi'], requiredSignatures: 1 }, 'segmentation', /at least two signing roles/],
    [
      {
        ...defaultPolicy('clinical'),
        testDatasetVersionId: '00000000-0000-4000-8000-000000000001',
        acceptance: [{ metric: 'auc', op: '>=', threshold: 0.9 }],
      },
      'segmentation',
      /names auc, but a segmentation model is evaluated by dice, iou/,
    ],
  ])('refuses %j', (input, task, message) => {
    expect(() => requirePolicy(input, task as 'segmentation')).toThrow(message);
  });
});

describe('criteria, gates and targets', () => {
  it('checks each criterion; a metric not computed fails', () => {
    expect(
      checkCriteria({ dice: 0.82, iou: null }, [
        { metric: 'dice', op: '>=', threshold: 0.8 },
        { metric: 'iou', op: '>=', threshold: 0.5 },
        { metric: 'dice', op: '<=', threshold: 0.81 },
      ]).map((c) => c.passed),
    ).toEqual([true, false, false]);
  });

  it('a failed gate fails the request, a pending one waits', () => {
    expect(
      gatesOutcome([
        { gate: 'onnx_validation', status: 'passed', detail: '' },
        { gate: 'evaluation', status: 'pending', detail: '' },
      ]),
    ).toBe('pending');
    expect(
      gatesOutcome([
        { gate: 'evaluation', status: 'failed', detail: '' },
        { gate: 'model_card', status: 'pending', detail: '' },
      ]),
    ).toBe('failed');
    expect(gatesOutcome([{ gate: 'model_card', status: 'passed', detail: '' }])).toBe('passed');
  });

  it('refuses a move to where the version is, and retiring a version never used', () => {
    expect(promotionTargetProblem('staging', 'staging')?.message).toMatch(/already in staging/);
    expect(promotionTargetProblem('none', 'retired')?.message).toMatch(/never in use/);
    expect(promotionTargetProblem('retired', 'clinical')).toBeNull();
  });
});

describe('model card', () => {
  it('lists what a card lacks; changes are needed after the first version', () => {
    expect(missingCardSections(null, true)).toEqual(['intended use', 'out-of-scope use', 'training data', 'metrics', 'limitations']);
    const card = {
      ...EMPTY_MODEL_CARD,
      intendedUse: 'Liver lesion segmentation on portal-venous CT, adults',
      outOfScopeUse: 'Paediatric CT',
      trainingData: ['liver-ct v3'],
      metrics: [{ name: 'dice', value: 0.87, threshold: 0.8 }],
      limitations: 'Lesions under 5 mm',
    };
    expect(missingCardSections(card, true)).toEqual([]);
    expect(missingCardSections(card, false)).toEqual(['changes from the previous version']);
  });

  it('refuses a malformed card naming the field', () => {
    expect(() => requireModelCard({ ...EMPTY_MODEL_CARD, metrics: [{ name: '', value: 1, threshold: null }] })).toThrow(/metrics\.0\.name/);
    expect(() => requireModelCard({ ...EMPTY_MODEL_CARD, extra: 1 })).toThrow(/Invalid model card/);
  });
});

describe('signedContentSha256', () => {
  it('changes with the files, the evidence or the card, and not with key order', () => {
    const base = {
      modelVersionId: 'v',
      targetStage: 'clinical' as const,
      filesDigest: 'a'.repeat(64),
      evidence: { gates: [] },
      card: { x: 1, y: 2 },
    };
    const h = signedContentSha256(base);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(signedContentSha256({ ...base, card: { y: 2, x: 1 } })).toBe(h);
    expect(signedContentSha256({ ...base, card: { x: 1, y: 3 } })).not.toBe(h);
    expect(signedContentSha256({ ...base, filesDigest: 'b'.repeat(64) })).not.toBe(h);
    expect(signedContentSha256({ ...base, evidence: { gates: [{ gate: 'evaluation' }] } })).not.toBe(h);
  });
});
