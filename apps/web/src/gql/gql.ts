/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation ChangeMyPassword($input: ChangeMyPasswordInput!) {\n    changeMyPassword(input: $input)\n  }\n": typeof types.ChangeMyPasswordDocument,
    "\n  query Users {\n    users {\n      id\n      username\n      displayName\n      email\n      kind\n      globalRole\n      isActive\n      createdAt\n      deactivatedAt\n    }\n  }\n": typeof types.UsersDocument,
    "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      id\n      username\n    }\n  }\n": typeof types.CreateUserDocument,
    "\n  mutation DeactivateUser($input: DeactivateUserInput!) {\n    deactivateUser(input: $input) {\n      id\n      isActive\n      deactivatedAt\n    }\n  }\n": typeof types.DeactivateUserDocument,
    "\n  mutation SetUserGlobalRole($input: SetUserGlobalRoleInput!) {\n    setUserGlobalRole(input: $input) {\n      id\n      globalRole\n    }\n  }\n": typeof types.SetUserGlobalRoleDocument,
    "\n  mutation ReactivateUser($input: ReactivateUserInput!) {\n    reactivateUser(input: $input) {\n      id\n      isActive\n      deactivatedAt\n    }\n  }\n": typeof types.ReactivateUserDocument,
    "\n  mutation ResetUserPassword($input: ResetUserPasswordInput!) {\n    resetUserPassword(input: $input) {\n      id\n    }\n  }\n": typeof types.ResetUserPasswordDocument,
    "\n  query Me {\n    me {\n      user {\n        id\n        username\n        displayName\n        kind\n        globalRole\n      }\n      globalPermissions\n    }\n  }\n": typeof types.MeDocument,
    "\n  query AuditEvents($filter: AuditEventFilter, $first: Int!, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          seq\n          time\n          actorId\n          actorLabel\n          action\n          entityType\n          entityId\n          projectId\n          before\n          after\n          reason\n          prevHash\n          hash\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.AuditEventsDocument,
    "\n  query AuditChainStatus {\n    auditChainStatus {\n      ok\n      checkedEvents\n      lastSeq\n      lastHash\n      brokenAtSeq\n      problem\n      unacknowledgedBreaks\n      breaks {\n        seq\n        kind\n        problem\n        storedHash\n        expectedHash\n        acknowledged {\n          seq\n          by\n          reason\n          time\n        }\n      }\n      checkpointsChecked\n      checkpointsFound\n      checkpointsExpected\n      verifiedAt\n    }\n  }\n": typeof types.AuditChainStatusDocument,
    "\n  query CompareProject($slug: String!) {\n    project(slug: $slug) {\n      id\n      slug\n      name\n      myPermissions\n    }\n  }\n": typeof types.CompareProjectDocument,
    "\n  query CompareRuns($projectId: ID!, $runIds: [String!]!) {\n    compareRuns(projectId: $projectId, runIds: $runIds) {\n      ...RunSummaryFields\n      experiment {\n        id\n        name\n      }\n      ...RunValuesFields\n      # Merges into RunValuesFields' latestMetrics: the scatter and parallel coordinates can plot each metric's best.\n      latestMetrics {\n        ...MetricExtremesFields\n      }\n    }\n  }\n": typeof types.CompareRunsDocument,
    "\n  query MetricSeries(\n    $projectId: ID!\n    $runIds: [String!]!\n    $keys: [String!]!\n    $fromStep: Float\n    $toStep: Float\n    $buckets: Int\n    $withTimes: Boolean!\n  ) {\n    metricSeries(projectId: $projectId, runIds: $runIds, keys: $keys, fromStep: $fromStep, toStep: $toStep, buckets: $buckets) {\n      fromStep\n      toStep\n      bucketWidth\n      bucketCount\n      exact\n      tierLevel\n      series {\n        runId\n        key\n        pointCount\n        buckets\n        steps\n        timestamps @include(if: $withTimes)\n        last\n        min\n        max\n      }\n    }\n  }\n": typeof types.MetricSeriesDocument,
    "\n  query SavedViews($projectId: ID!, $kind: SavedViewKind!) {\n    savedViews(projectId: $projectId, kind: $kind) {\n      id\n      name\n      updatedAt\n      state {\n        key\n        value\n      }\n      createdBy {\n        id\n        username\n      }\n    }\n  }\n": typeof types.SavedViewsDocument,
    "\n  mutation SaveView($input: SaveViewInput!) {\n    saveView(input: $input) {\n      id\n      name\n      updatedAt\n      state {\n        key\n        value\n      }\n    }\n  }\n": typeof types.SaveViewDocument,
    "\n  mutation DeleteView($input: DeleteViewInput!) {\n    deleteView(input: $input)\n  }\n": typeof types.DeleteViewDocument,
    "\n  query ProjectDatasets($projectId: ID!) {\n    datasets(projectId: $projectId) {\n      id\n      name\n      description\n      createdAt\n      versions {\n        id\n        number\n        state\n      }\n    }\n  }\n": typeof types.ProjectDatasetsDocument,
    "\n  mutation CreateDataset($input: CreateDatasetInput!) {\n    createDataset(input: $input) {\n      id\n      name\n    }\n  }\n": typeof types.CreateDatasetDocument,
    "\n  fragment DatasetVersionSummaryFields on DatasetVersion {\n    id\n    number\n    state\n    parentId\n    createdAt\n    sealedAt\n    splitSeed\n    splitRatios {\n      train\n      val\n      test\n    }\n    counts {\n      items\n      patients\n    }\n  }\n": typeof types.DatasetVersionSummaryFieldsFragmentDoc,
    "\n  query Dataset($id: ID!) {\n    dataset(id: $id) {\n      id\n      projectId\n      name\n      description\n      createdAt\n      versions {\n        ...DatasetVersionSummaryFields\n      }\n    }\n  }\n": typeof types.DatasetDocument,
    "\n  mutation CreateDatasetVersion($input: CreateDatasetVersionInput!) {\n    createDatasetVersion(input: $input) {\n      id\n      number\n    }\n  }\n": typeof types.CreateDatasetVersionDocument,
    "\n  query DatasetVersion($id: ID!) {\n    datasetVersion(id: $id) {\n      id\n      datasetId\n      number\n      state\n      parentId\n      createdAt\n      sealedAt\n      splitMode\n      splitSeed\n      splitRatios {\n        train\n        val\n        test\n      }\n      stratifyByLabel\n      labelSet\n      manifestKey\n      manifestSha256\n      deidAttestation {\n        method\n        summary\n        attestedAt\n      }\n      counts {\n        items\n        patients\n        studies\n        series\n        bytes\n        bySplit {\n          split\n          items\n          patients\n          studies\n        }\n        byModality {\n          value\n          items\n        }\n        byLabel {\n          value\n          items\n        }\n      }\n      children {\n        id\n        number\n        state\n      }\n    }\n  }\n": typeof types.DatasetVersionDocument,
    "\n  query DatasetOfVersion($id: ID!) {\n    dataset(id: $id) {\n      id\n      projectId\n      name\n      versions {\n        id\n        number\n        state\n      }\n    }\n  }\n": typeof types.DatasetOfVersionDocument,
    "\n  query DatasetItemsPage($id: ID!, $first: Int!, $after: String, $split: DatasetSplit) {\n    datasetVersion(id: $id) {\n      id\n      items(first: $first, after: $after, split: $split) {\n        items {\n          itemKey\n          patientKey\n          studyUid\n          seriesUid\n          modality\n          split\n          label\n          sizeBytes\n          sha256\n        }\n        next\n      }\n    }\n  }\n": typeof types.DatasetItemsPageDocument,
    "\n  query DatasetVersionDiff($fromId: ID!, $toId: ID!, $first: Int!) {\n    datasetVersionDiff(fromId: $fromId, toId: $toId, first: $first) {\n      counts {\n        added\n        removed\n        changed\n        moved\n        relabelled\n        unchanged\n      }\n      rows {\n        itemKey\n        kind\n        fromSplit\n        toSplit\n        fromLabel\n        toLabel\n      }\n    }\n  }\n": typeof types.DatasetVersionDiffDocument,
    "\n  mutation SealDatasetVersion($input: SealDatasetVersionInput!) {\n    sealDatasetVersion(input: $input) {\n      id\n      state\n      sealedAt\n      manifestKey\n      manifestSha256\n      deidAttestation {\n        method\n        summary\n        attestedAt\n      }\n    }\n  }\n": typeof types.SealDatasetVersionDocument,
    "\n  mutation DeleteDatasetVersion($versionId: ID!) {\n    deleteDatasetVersion(versionId: $versionId)\n  }\n": typeof types.DeleteDatasetVersionDocument,
    "\n  query VersionSource($id: ID!) {\n    datasetVersion(id: $id) {\n      id\n      source\n    }\n  }\n": typeof types.VersionSourceDocument,
    "\n  fragment VersionRunFields on DatasetVersionRunConnection {\n    totalCount\n    edges {\n      cursor\n      node {\n        runId\n        name\n        status\n        startTime\n        experimentId\n        experimentName\n        createdByName\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n": typeof types.VersionRunFieldsFragmentDoc,
    "\n  query DatasetVersionUsage($id: ID!, $first: Int!) {\n    datasetVersion(id: $id) {\n      id\n      runs(first: $first) {\n        ...VersionRunFields\n      }\n      models(first: 50) {\n        id\n        modelName\n        version\n        stage\n        status\n        runId\n        runName\n        createdAt\n      }\n    }\n  }\n": typeof types.DatasetVersionUsageDocument,
    "\n  query DatasetVersionRunsPage($id: ID!, $first: Int!, $after: String) {\n    datasetVersion(id: $id) {\n      id\n      runs(first: $first, after: $after) {\n        ...VersionRunFields\n      }\n    }\n  }\n": typeof types.DatasetVersionRunsPageDocument,
    "\n  query PacsPreview($projectId: ID!, $query: PacsQueryInput!, $limit: Int!) {\n    pacsPreview(projectId: $projectId, query: $query, limit: $limit) {\n      patients\n      studies\n      series\n      instances\n      truncated\n      studyList {\n        studyInstanceUid\n        studyDate\n        modalities\n        seriesDescriptions\n        bodyParts\n        series\n        instances\n      }\n    }\n  }\n": typeof types.PacsPreviewDocument,
    "\n  mutation ImportFromPacs($input: ImportFromPacsInput!) {\n    importFromPacs(input: $input) {\n      id\n      status\n    }\n  }\n": typeof types.ImportFromPacsDocument,
    "\n  query PacsImportProgress($id: ID!) {\n    datasetVersion(id: $id) {\n      id\n      number\n      counts {\n        items\n        patients\n      }\n      imports {\n        id\n        status\n        total\n        done\n        skipped\n        failed\n        error\n        failures {\n          sopInstanceUid\n          error\n        }\n      }\n    }\n  }\n": typeof types.PacsImportProgressDocument,
    "\n  fragment DatasetVerificationFields on DatasetVerification {\n    id\n    status\n    total\n    checked\n    ok\n    changed\n    missing\n    errors\n    error\n    createdAt\n    startedAt\n    finishedAt\n  }\n": typeof types.DatasetVerificationFieldsFragmentDoc,
    "\n  fragment DatasetVerificationDriftFields on DatasetVerificationDrift {\n    itemKey\n    kind\n    sopUid\n    objectKey\n    expectedSha256\n    actualSha256\n    reason\n  }\n": typeof types.DatasetVerificationDriftFieldsFragmentDoc,
    "\n  query LatestVerification($id: ID!, $first: Int!) {\n    datasetVersion(id: $id) {\n      id\n      verifications(first: 1) {\n        ...DatasetVerificationFields\n        drifts(first: $first) {\n          drifts {\n            ...DatasetVerificationDriftFields\n          }\n          next\n        }\n      }\n    }\n  }\n": typeof types.LatestVerificationDocument,
    "\n  query VerificationDrifts($id: ID!, $first: Int!, $after: String) {\n    datasetVersion(id: $id) {\n      id\n      verifications(first: 1) {\n        id\n        drifts(first: $first, after: $after) {\n          drifts {\n            ...DatasetVerificationDriftFields\n          }\n          next\n        }\n      }\n    }\n  }\n": typeof types.VerificationDriftsDocument,
    "\n  mutation VerifyDatasetVersion($versionId: ID!) {\n    verifyDatasetVersion(versionId: $versionId) {\n      ...DatasetVerificationFields\n    }\n  }\n": typeof types.VerifyDatasetVersionDocument,
    "\n  query ExperimentDetails($id: ID!) {\n    experiment(id: $id) {\n      id\n      name\n      isDefault\n      lifecycleStage\n      createdAt\n      runCount\n      tags {\n        key\n        value\n      }\n      project {\n        id\n        slug\n        name\n      }\n    }\n  }\n": typeof types.ExperimentDetailsDocument,
    "\n  query ProjectModels($projectId: ID!, $first: Int!, $after: String) {\n    registeredModels(projectId: $projectId, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          description\n          lastUpdatedAt\n          versions {\n            id\n            version\n            lastUpdatedAt\n            validation {\n              status\n            }\n          }\n        }\n      }\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n    }\n  }\n": typeof types.ProjectModelsDocument,
    "\n  fragment ModelValidationFields on ModelValidation {\n    status\n    reason\n    sha256\n    opset\n    taskType\n    preprocessing\n    postprocessing\n    filePath\n    validatedAt\n    inputs {\n      name\n      dtype\n      shape\n    }\n    outputs {\n      name\n      dtype\n      shape\n    }\n  }\n": typeof types.ModelValidationFieldsFragmentDoc,
    "\n  query RegisteredModel($projectId: ID!, $name: String!) {\n    registeredModel(projectId: $projectId, name: $name) {\n      id\n      name\n      description\n      createdAt\n      lastUpdatedAt\n      versions {\n        id\n        version\n        createdAt\n        lastUpdatedAt\n        runId\n        artifactPath\n        artifactDigest\n        stage\n        description\n        validation {\n          ...ModelValidationFields\n        }\n      }\n    }\n  }\n": typeof types.RegisteredModelDocument,
    "\n  mutation RegisterModelVersion($input: RegisterModelVersionInput!) {\n    registerModelVersion(input: $input) {\n      id\n      version\n      modelName\n    }\n  }\n": typeof types.RegisterModelVersionDocument,
    "\n  query Projects {\n    projects {\n      ...ProjectSummaryFields\n    }\n  }\n": typeof types.ProjectsDocument,
    "\n  fragment ProjectSummaryFields on Project {\n    id\n    slug\n    name\n    description\n    createdAt\n    archivedAt\n    myRoles\n    myPermissions\n    memberCount\n  }\n": typeof types.ProjectSummaryFieldsFragmentDoc,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      id\n      slug\n      name\n    }\n  }\n": typeof types.CreateProjectDocument,
    "\n  query Project($slug: String!) {\n    project(slug: $slug) {\n      ...ProjectSummaryFields\n      members {\n        user {\n          ...UserRefFields\n          kind\n          isActive\n        }\n        roles\n        createdAt\n        updatedAt\n      }\n      apiTokens {\n        id\n        name\n        roles\n        runId\n        owner {\n          ...UserRefFields\n        }\n        createdAt\n        expiresAt\n        revokedAt\n        lastUsedAt\n      }\n    }\n  }\n": typeof types.ProjectDocument,
    "\n  mutation UpdateProject($input: UpdateProjectInput!) {\n    updateProject(input: $input) {\n      id\n      name\n      description\n    }\n  }\n": typeof types.UpdateProjectDocument,
    "\n  mutation AddProjectMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) {\n      user {\n        id\n        username\n      }\n      roles\n    }\n  }\n": typeof types.AddProjectMemberDocument,
    "\n  mutation SetProjectMemberRoles($input: SetProjectMemberRolesInput!) {\n    setProjectMemberRoles(input: $input) {\n      user {\n        id\n      }\n      roles\n    }\n  }\n": typeof types.SetProjectMemberRolesDocument,
    "\n  mutation RemoveProjectMember($input: RemoveProjectMemberInput!) {\n    removeProjectMember(input: $input)\n  }\n": typeof types.RemoveProjectMemberDocument,
    "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      token\n      apiToken {\n        id\n        name\n        roles\n        expiresAt\n      }\n    }\n  }\n": typeof types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": typeof types.RevokeApiTokenDocument,
    "\n  query MemberCandidates($input: MemberCandidatesInput!) {\n    memberCandidates(input: $input) {\n      username\n      displayName\n    }\n  }\n": typeof types.MemberCandidatesDocument,
    "\n  query PiCandidates($input: PiCandidatesInput!) {\n    piCandidates(input: $input) {\n      username\n      displayName\n    }\n  }\n": typeof types.PiCandidatesDocument,
    "\n  query RunsTablePage($id: ID!, $first: Int, $after: String, $filter: String, $orderBy: [String!]) {\n    experiment(id: $id) {\n      id\n      runs(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          cursor\n          node {\n            ...RunRowFields\n            ...RunValuesFields\n            # Merges into RunValuesFields' latestMetrics: each metric's best sits beside its latest.\n            latestMetrics {\n              ...MetricExtremesFields\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.RunsTablePageDocument,
    "\n  query RunColumnKeys($id: ID!) {\n    experiment(id: $id) {\n      id\n      project {\n        id\n        myPermissions\n      }\n      runKeys {\n        params\n        metrics\n        tags\n      }\n    }\n  }\n": typeof types.RunColumnKeysDocument,
    "\n  query RunGroups($id: ID!, $by: String!, $filter: String) {\n    experiment(id: $id) {\n      id\n      runGroups(by: $by, filter: $filter) {\n        groups {\n          value\n          count\n        }\n        truncated\n      }\n    }\n  }\n": typeof types.RunGroupsDocument,
    "\n  query MetricDirections($projectId: ID!, $keys: [String!]!) {\n    metricDirections(projectId: $projectId, keys: $keys) {\n      id\n      key\n      direction\n      isDefault\n    }\n  }\n": typeof types.MetricDirectionsDocument,
    "\n  mutation SetMetricDirection($input: SetMetricDirectionInput!) {\n    setMetricDirection(input: $input) {\n      id\n      key\n      direction\n      isDefault\n    }\n  }\n": typeof types.SetMetricDirectionDocument,
    "\n  fragment KeyValueFields on KeyValue {\n    key\n    value\n  }\n": typeof types.KeyValueFieldsFragmentDoc,
    "\n  fragment LatestMetricFields on LatestMetric {\n    key\n    value\n    nonFinite\n    step\n  }\n": typeof types.LatestMetricFieldsFragmentDoc,
    "\n  fragment MetricExtremesFields on LatestMetric {\n    key\n    min {\n      value\n      step\n    }\n    max {\n      value\n      step\n    }\n  }\n": typeof types.MetricExtremesFieldsFragmentDoc,
    "\n  fragment UserRefFields on User {\n    id\n    username\n    displayName\n  }\n": typeof types.UserRefFieldsFragmentDoc,
    "\n  fragment RunSummaryFields on Run {\n    runId\n    name\n    status\n    startTime\n    endTime\n  }\n": typeof types.RunSummaryFieldsFragmentDoc,
    "\n  fragment RunValuesFields on Run {\n    params {\n      ...KeyValueFields\n    }\n    tags {\n      ...KeyValueFields\n    }\n    latestMetrics {\n      ...LatestMetricFields\n    }\n  }\n": typeof types.RunValuesFieldsFragmentDoc,
    "\n  fragment RunRowFields on Run {\n    ...RunSummaryFields\n    mlflowStatus\n    durationMs\n    user {\n      ...UserRefFields\n    }\n  }\n": typeof types.RunRowFieldsFragmentDoc,
    "\n  query TrackingOverview {\n    projects {\n      id\n      slug\n      name\n      experiments {\n        id\n        name\n        isDefault\n        runCount\n        lastUpdatedAt\n      }\n    }\n  }\n": typeof types.TrackingOverviewDocument,
    "\n  query ProjectTracking($slug: String!) {\n    project(slug: $slug) {\n      id\n      slug\n      isMyDefault\n      experiments {\n        id\n        name\n        isDefault\n        runCount\n        createdAt\n        lastUpdatedAt\n      }\n    }\n  }\n": typeof types.ProjectTrackingDocument,
    "\n  mutation SetDefaultProject($projectId: ID!) {\n    setDefaultProject(projectId: $projectId) {\n      id\n      isMyDefault\n    }\n  }\n": typeof types.SetDefaultProjectDocument,
    "\n  query Run($runId: String!) {\n    run(runId: $runId) {\n      ...RunSummaryFields\n      mlflowStatus\n      lifecycleStage\n      durationMs\n      heartbeatAt\n      artifactUri\n      gitCommit\n      gitRepo\n      imageDigest\n      user {\n        ...UserRefFields\n      }\n      experiment {\n        id\n        name\n        project {\n          id\n          slug\n          name\n        }\n      }\n      parentRun {\n        runId\n        name\n      }\n      ...RunValuesFields\n      # Merges into RunValuesFields' latestMetrics: the run page also shows when each was logged.\n      latestMetrics {\n        timestamp\n        ...MetricExtremesFields\n      }\n      inputs {\n        kind\n        name\n        digest\n        descriptor\n        datasetVersion {\n          id\n          number\n          dataset {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n": typeof types.RunDocument,
    "\n  query RunLive($runId: String!) {\n    run(runId: $runId) {\n      runId\n      status\n      mlflowStatus\n      endTime\n      durationMs\n      heartbeatAt\n      latestMetrics {\n        ...LatestMetricFields\n        timestamp\n        # As RunQuery reads them: a poll's list replaces the page's, which must not lose fields (or be read again whole).\n        ...MetricExtremesFields\n      }\n    }\n  }\n": typeof types.RunLiveDocument,
    "\n  query MetricHistory($runId: String!, $key: String!, $first: Int, $after: String) {\n    run(runId: $runId) {\n      runId\n      metricHistory(key: $key, first: $first, after: $after) {\n        key\n        steps\n        timestamps\n        values\n        nonFinite\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": typeof types.MetricHistoryDocument,
    "\n  query RunLogTail($runId: String!, $last: Int, $before: String) {\n    run(runId: $runId) {\n      runId\n      logTail(last: $last, before: $before) {\n        ...RunLogPageFields\n      }\n    }\n  }\n": typeof types.RunLogTailDocument,
    "\n  query RunLogs($runId: String!, $first: Int, $after: String) {\n    run(runId: $runId) {\n      runId\n      logs(first: $first, after: $after) {\n        ...RunLogPageFields\n      }\n    }\n  }\n": typeof types.RunLogsDocument,
    "\n  fragment RunLogPageFields on RunLogPage {\n    lines {\n      id\n      time\n      stream\n      line\n    }\n    hasEarlier\n    earlierCursor\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n": typeof types.RunLogPageFieldsFragmentDoc,
};
const documents: Documents = {
    "\n  mutation ChangeMyPassword($input: ChangeMyPasswordInput!) {\n    changeMyPassword(input: $input)\n  }\n": types.ChangeMyPasswordDocument,
    "\n  query Users {\n    users {\n      id\n      username\n      displayName\n      email\n      kind\n      globalRole\n      isActive\n      createdAt\n      deactivatedAt\n    }\n  }\n": types.UsersDocument,
    "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      id\n      username\n    }\n  }\n": types.CreateUserDocument,
    "\n  mutation DeactivateUser($input: DeactivateUserInput!) {\n    deactivateUser(input: $input) {\n      id\n      isActive\n      deactivatedAt\n    }\n  }\n": types.DeactivateUserDocument,
    "\n  mutation SetUserGlobalRole($input: SetUserGlobalRoleInput!) {\n    setUserGlobalRole(input: $input) {\n      id\n      globalRole\n    }\n  }\n": types.SetUserGlobalRoleDocument,
    "\n  mutation ReactivateUser($input: ReactivateUserInput!) {\n    reactivateUser(input: $input) {\n      id\n      isActive\n      deactivatedAt\n    }\n  }\n": types.ReactivateUserDocument,
    "\n  mutation ResetUserPassword($input: ResetUserPasswordInput!) {\n    resetUserPassword(input: $input) {\n      id\n    }\n  }\n": types.ResetUserPasswordDocument,
    "\n  query Me {\n    me {\n      user {\n        id\n        username\n        displayName\n        kind\n        globalRole\n      }\n      globalPermissions\n    }\n  }\n": types.MeDocument,
    "\n  query AuditEvents($filter: AuditEventFilter, $first: Int!, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          seq\n          time\n          actorId\n          actorLabel\n          action\n          entityType\n          entityId\n          projectId\n          before\n          after\n          reason\n          prevHash\n          hash\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.AuditEventsDocument,
    "\n  query AuditChainStatus {\n    auditChainStatus {\n      ok\n      checkedEvents\n      lastSeq\n      lastHash\n      brokenAtSeq\n      problem\n      unacknowledgedBreaks\n      breaks {\n        seq\n        kind\n        problem\n        storedHash\n        expectedHash\n        acknowledged {\n          seq\n          by\n          reason\n          time\n        }\n      }\n      checkpointsChecked\n      checkpointsFound\n      checkpointsExpected\n      verifiedAt\n    }\n  }\n": types.AuditChainStatusDocument,
    "\n  query CompareProject($slug: String!) {\n    project(slug: $slug) {\n      id\n      slug\n      name\n      myPermissions\n    }\n  }\n": types.CompareProjectDocument,
    "\n  query CompareRuns($projectId: ID!, $runIds: [String!]!) {\n    compareRuns(projectId: $projectId, runIds: $runIds) {\n      ...RunSummaryFields\n      experiment {\n        id\n        name\n      }\n      ...RunValuesFields\n      # Merges into RunValuesFields' latestMetrics: the scatter and parallel coordinates can plot each metric's best.\n      latestMetrics {\n        ...MetricExtremesFields\n      }\n    }\n  }\n": types.CompareRunsDocument,
    "\n  query MetricSeries(\n    $projectId: ID!\n    $runIds: [String!]!\n    $keys: [String!]!\n    $fromStep: Float\n    $toStep: Float\n    $buckets: Int\n    $withTimes: Boolean!\n  ) {\n    metricSeries(projectId: $projectId, runIds: $runIds, keys: $keys, fromStep: $fromStep, toStep: $toStep, buckets: $buckets) {\n      fromStep\n      toStep\n      bucketWidth\n      bucketCount\n      exact\n      tierLevel\n      series {\n        runId\n        key\n        pointCount\n        buckets\n        steps\n        timestamps @include(if: $withTimes)\n        last\n        min\n        max\n      }\n    }\n  }\n": types.MetricSeriesDocument,
    "\n  query SavedViews($projectId: ID!, $kind: SavedViewKind!) {\n    savedViews(projectId: $projectId, kind: $kind) {\n      id\n      name\n      updatedAt\n      state {\n        key\n        value\n      }\n      createdBy {\n        id\n        username\n      }\n    }\n  }\n": types.SavedViewsDocument,
    "\n  mutation SaveView($input: SaveViewInput!) {\n    saveView(input: $input) {\n      id\n      name\n      updatedAt\n      state {\n        key\n        value\n      }\n    }\n  }\n": types.SaveViewDocument,
    "\n  mutation DeleteView($input: DeleteViewInput!) {\n    deleteView(input: $input)\n  }\n": types.DeleteViewDocument,
    "\n  query ProjectDatasets($projectId: ID!) {\n    datasets(projectId: $projectId) {\n      id\n      name\n      description\n      createdAt\n      versions {\n        id\n        number\n        state\n      }\n    }\n  }\n": types.ProjectDatasetsDocument,
    "\n  mutation CreateDataset($input: CreateDatasetInput!) {\n    createDataset(input: $input) {\n      id\n      name\n    }\n  }\n": types.CreateDatasetDocument,
    "\n  fragment DatasetVersionSummaryFields on DatasetVersion {\n    id\n    number\n    state\n    parentId\n    createdAt\n    sealedAt\n    splitSeed\n    splitRatios {\n      train\n      val\n      test\n    }\n    counts {\n      items\n      patients\n    }\n  }\n": types.DatasetVersionSummaryFieldsFragmentDoc,
    "\n  query Dataset($id: ID!) {\n    dataset(id: $id) {\n      id\n      projectId\n      name\n      description\n      createdAt\n      versions {\n        ...DatasetVersionSummaryFields\n      }\n    }\n  }\n": types.DatasetDocument,
    "\n  mutation CreateDatasetVersion($input: CreateDatasetVersionInput!) {\n    createDatasetVersion(input: $input) {\n      id\n      number\n    }\n  }\n": types.CreateDatasetVersionDocument,
    "\n  query DatasetVersion($id: ID!) {\n    datasetVersion(id: $id) {\n      id\n      datasetId\n      number\n      state\n      parentId\n      createdAt\n      sealedAt\n      splitMode\n      splitSeed\n      splitRatios {\n        train\n        val\n        test\n      }\n      stratifyByLabel\n      labelSet\n      manifestKey\n      manifestSha256\n      deidAttestation {\n        method\n        summary\n        attestedAt\n      }\n      counts {\n        items\n        patients\n        studies\n        series\n        bytes\n        bySplit {\n          split\n          items\n          patients\n          studies\n        }\n        byModality {\n          value\n          items\n        }\n        byLabel {\n          value\n          items\n        }\n      }\n      children {\n        id\n        number\n        state\n      }\n    }\n  }\n": types.DatasetVersionDocument,
    "\n  query DatasetOfVersion($id: ID!) {\n    dataset(id: $id) {\n      id\n      projectId\n      name\n      versions {\n        id\n        number\n        state\n      }\n    }\n  }\n": types.DatasetOfVersionDocument,
    "\n  query DatasetItemsPage($id: ID!, $first: Int!, $after: String, $split: DatasetSplit) {\n    datasetVersion(id: $id) {\n      id\n      items(first: $first, after: $after, split: $split) {\n        items {\n          itemKey\n          patientKey\n          studyUid\n          seriesUid\n          modality\n          split\n          label\n          sizeBytes\n          sha256\n        }\n        next\n      }\n    }\n  }\n": types.DatasetItemsPageDocument,
    "\n  query DatasetVersionDiff($fromId: ID!, $toId: ID!, $first: Int!) {\n    datasetVersionDiff(fromId: $fromId, toId: $toId, first: $first) {\n      counts {\n        added\n        removed\n        changed\n        moved\n        relabelled\n        unchanged\n      }\n      rows {\n        itemKey\n        kind\n        fromSplit\n        toSplit\n        fromLabel\n        toLabel\n      }\n    }\n  }\n": types.DatasetVersionDiffDocument,
    "\n  mutation SealDatasetVersion($input: SealDatasetVersionInput!) {\n    sealDatasetVersion(input: $input) {\n      id\n      state\n      sealedAt\n      manifestKey\n      manifestSha256\n      deidAttestation {\n        method\n        summary\n        attestedAt\n      }\n    }\n  }\n": types.SealDatasetVersionDocument,
    "\n  mutation DeleteDatasetVersion($versionId: ID!) {\n    deleteDatasetVersion(versionId: $versionId)\n  }\n": types.DeleteDatasetVersionDocument,
    "\n  query VersionSource($id: ID!) {\n    datasetVersion(id: $id) {\n      id\n      source\n    }\n  }\n": types.VersionSourceDocument,
    "\n  fragment VersionRunFields on DatasetVersionRunConnection {\n    totalCount\n    edges {\n      cursor\n      node {\n        runId\n        name\n        status\n        startTime\n        experimentId\n        experimentName\n        createdByName\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n": types.VersionRunFieldsFragmentDoc,
    "\n  query DatasetVersionUsage($id: ID!, $first: Int!) {\n    datasetVersion(id: $id) {\n      id\n      runs(first: $first) {\n        ...VersionRunFields\n      }\n      models(first: 50) {\n        id\n        modelName\n        version\n        stage\n        status\n        runId\n        runName\n        createdAt\n      }\n    }\n  }\n": types.DatasetVersionUsageDocument,
    "\n  query DatasetVersionRunsPage($id: ID!, $first: Int!, $after: String) {\n    datasetVersion(id: $id) {\n      id\n      runs(first: $first, after: $after) {\n        ...VersionRunFields\n      }\n    }\n  }\n": types.DatasetVersionRunsPageDocument,
    "\n  query PacsPreview($projectId: ID!, $query: PacsQueryInput!, $limit: Int!) {\n    pacsPreview(projectId: $projectId, query: $query, limit: $limit) {\n      patients\n      studies\n      series\n      instances\n      truncated\n      studyList {\n        studyInstanceUid\n        studyDate\n        modalities\n        seriesDescriptions\n        bodyParts\n        series\n        instances\n      }\n    }\n  }\n": types.PacsPreviewDocument,
    "\n  mutation ImportFromPacs($input: ImportFromPacsInput!) {\n    importFromPacs(input: $input) {\n      id\n      status\n    }\n  }\n": types.ImportFromPacsDocument,
    "\n  query PacsImportProgress($id: ID!) {\n    datasetVersion(id: $id) {\n      id\n      number\n      counts {\n        items\n        patients\n      }\n      imports {\n        id\n        status\n        total\n        done\n        skipped\n        failed\n        error\n        failures {\n          sopInstanceUid\n          error\n        }\n      }\n    }\n  }\n": types.PacsImportProgressDocument,
    "\n  fragment DatasetVerificationFields on DatasetVerification {\n    id\n    status\n    total\n    checked\n    ok\n    changed\n    missing\n    errors\n    error\n    createdAt\n    startedAt\n    finishedAt\n  }\n": types.DatasetVerificationFieldsFragmentDoc,
    "\n  fragment DatasetVerificationDriftFields on DatasetVerificationDrift {\n    itemKey\n    kind\n    sopUid\n    objectKey\n    expectedSha256\n    actualSha256\n    reason\n  }\n": types.DatasetVerificationDriftFieldsFragmentDoc,
    "\n  query LatestVerification($id: ID!, $first: Int!) {\n    datasetVersion(id: $id) {\n      id\n      verifications(first: 1) {\n        ...DatasetVerificationFields\n        drifts(first: $first) {\n          drifts {\n            ...DatasetVerificationDriftFields\n          }\n          next\n        }\n      }\n    }\n  }\n": types.LatestVerificationDocument,
    "\n  query VerificationDrifts($id: ID!, $first: Int!, $after: String) {\n    datasetVersion(id: $id) {\n      id\n      verifications(first: 1) {\n        id\n        drifts(first: $first, after: $after) {\n          drifts {\n            ...DatasetVerificationDriftFields\n          }\n          next\n        }\n      }\n    }\n  }\n": types.VerificationDriftsDocument,
    "\n  mutation VerifyDatasetVersion($versionId: ID!) {\n    verifyDatasetVersion(versionId: $versionId) {\n      ...DatasetVerificationFields\n    }\n  }\n": types.VerifyDatasetVersionDocument,
    "\n  query ExperimentDetails($id: ID!) {\n    experiment(id: $id) {\n      id\n      name\n      isDefault\n      lifecycleStage\n      createdAt\n      runCount\n      tags {\n        key\n        value\n      }\n      project {\n        id\n        slug\n        name\n      }\n    }\n  }\n": types.ExperimentDetailsDocument,
    "\n  query ProjectModels($projectId: ID!, $first: Int!, $after: String) {\n    registeredModels(projectId: $projectId, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          description\n          lastUpdatedAt\n          versions {\n            id\n            version\n            lastUpdatedAt\n            validation {\n              status\n            }\n          }\n        }\n      }\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n    }\n  }\n": types.ProjectModelsDocument,
    "\n  fragment ModelValidationFields on ModelValidation {\n    status\n    reason\n    sha256\n    opset\n    taskType\n    preprocessing\n    postprocessing\n    filePath\n    validatedAt\n    inputs {\n      name\n      dtype\n      shape\n    }\n    outputs {\n      name\n      dtype\n      shape\n    }\n  }\n": types.ModelValidationFieldsFragmentDoc,
    "\n  query RegisteredModel($projectId: ID!, $name: String!) {\n    registeredModel(projectId: $projectId, name: $name) {\n      id\n      name\n      description\n      createdAt\n      lastUpdatedAt\n      versions {\n        id\n        version\n        createdAt\n        lastUpdatedAt\n        runId\n        artifactPath\n        artifactDigest\n        stage\n        description\n        validation {\n          ...ModelValidationFields\n        }\n      }\n    }\n  }\n": types.RegisteredModelDocument,
    "\n  mutation RegisterModelVersion($input: RegisterModelVersionInput!) {\n    registerModelVersion(input: $input) {\n      id\n      version\n      modelName\n    }\n  }\n": types.RegisterModelVersionDocument,
    "\n  query Projects {\n    projects {\n      ...ProjectSummaryFields\n    }\n  }\n": types.ProjectsDocument,
    "\n  fragment ProjectSummaryFields on Project {\n    id\n    slug\n    name\n    description\n    createdAt\n    archivedAt\n    myRoles\n    myPermissions\n    memberCount\n  }\n": types.ProjectSummaryFieldsFragmentDoc,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      id\n      slug\n      name\n    }\n  }\n": types.CreateProjectDocument,
    "\n  query Project($slug: String!) {\n    project(slug: $slug) {\n      ...ProjectSummaryFields\n      members {\n        user {\n          ...UserRefFields\n          kind\n          isActive\n        }\n        roles\n        createdAt\n        updatedAt\n      }\n      apiTokens {\n        id\n        name\n        roles\n        runId\n        owner {\n          ...UserRefFields\n        }\n        createdAt\n        expiresAt\n        revokedAt\n        lastUsedAt\n      }\n    }\n  }\n": types.ProjectDocument,
    "\n  mutation UpdateProject($input: UpdateProjectInput!) {\n    updateProject(input: $input) {\n      id\n      name\n      description\n    }\n  }\n": types.UpdateProjectDocument,
    "\n  mutation AddProjectMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) {\n      user {\n        id\n        username\n      }\n      roles\n    }\n  }\n": types.AddProjectMemberDocument,
    "\n  mutation SetProjectMemberRoles($input: SetProjectMemberRolesInput!) {\n    setProjectMemberRoles(input: $input) {\n      user {\n        id\n      }\n      roles\n    }\n  }\n": types.SetProjectMemberRolesDocument,
    "\n  mutation RemoveProjectMember($input: RemoveProjectMemberInput!) {\n    removeProjectMember(input: $input)\n  }\n": types.RemoveProjectMemberDocument,
    "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      token\n      apiToken {\n        id\n        name\n        roles\n        expiresAt\n      }\n    }\n  }\n": types.CreateApiTokenDocument,
    "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n": types.RevokeApiTokenDocument,
    "\n  query MemberCandidates($input: MemberCandidatesInput!) {\n    memberCandidates(input: $input) {\n      username\n      displayName\n    }\n  }\n": types.MemberCandidatesDocument,
    "\n  query PiCandidates($input: PiCandidatesInput!) {\n    piCandidates(input: $input) {\n      username\n      displayName\n    }\n  }\n": types.PiCandidatesDocument,
    "\n  query RunsTablePage($id: ID!, $first: Int, $after: String, $filter: String, $orderBy: [String!]) {\n    experiment(id: $id) {\n      id\n      runs(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          cursor\n          node {\n            ...RunRowFields\n            ...RunValuesFields\n            # Merges into RunValuesFields' latestMetrics: each metric's best sits beside its latest.\n            latestMetrics {\n              ...MetricExtremesFields\n            }\n          }\n        }\n      }\n    }\n  }\n": types.RunsTablePageDocument,
    "\n  query RunColumnKeys($id: ID!) {\n    experiment(id: $id) {\n      id\n      project {\n        id\n        myPermissions\n      }\n      runKeys {\n        params\n        metrics\n        tags\n      }\n    }\n  }\n": types.RunColumnKeysDocument,
    "\n  query RunGroups($id: ID!, $by: String!, $filter: String) {\n    experiment(id: $id) {\n      id\n      runGroups(by: $by, filter: $filter) {\n        groups {\n          value\n          count\n        }\n        truncated\n      }\n    }\n  }\n": types.RunGroupsDocument,
    "\n  query MetricDirections($projectId: ID!, $keys: [String!]!) {\n    metricDirections(projectId: $projectId, keys: $keys) {\n      id\n      key\n      direction\n      isDefault\n    }\n  }\n": types.MetricDirectionsDocument,
    "\n  mutation SetMetricDirection($input: SetMetricDirectionInput!) {\n    setMetricDirection(input: $input) {\n      id\n      key\n      direction\n      isDefault\n    }\n  }\n": types.SetMetricDirectionDocument,
    "\n  fragment KeyValueFields on KeyValue {\n    key\n    value\n  }\n": types.KeyValueFieldsFragmentDoc,
    "\n  fragment LatestMetricFields on LatestMetric {\n    key\n    value\n    nonFinite\n    step\n  }\n": types.LatestMetricFieldsFragmentDoc,
    "\n  fragment MetricExtremesFields on LatestMetric {\n    key\n    min {\n      value\n      step\n    }\n    max {\n      value\n      step\n    }\n  }\n": types.MetricExtremesFieldsFragmentDoc,
    "\n  fragment UserRefFields on User {\n    id\n    username\n    displayName\n  }\n": types.UserRefFieldsFragmentDoc,
    "\n  fragment RunSummaryFields on Run {\n    runId\n    name\n    status\n    startTime\n    endTime\n  }\n": types.RunSummaryFieldsFragmentDoc,
    "\n  fragment RunValuesFields on Run {\n    params {\n      ...KeyValueFields\n    }\n    tags {\n      ...KeyValueFields\n    }\n    latestMetrics {\n      ...LatestMetricFields\n    }\n  }\n": types.RunValuesFieldsFragmentDoc,
    "\n  fragment RunRowFields on Run {\n    ...RunSummaryFields\n    mlflowStatus\n    durationMs\n    user {\n      ...UserRefFields\n    }\n  }\n": types.RunRowFieldsFragmentDoc,
    "\n  query TrackingOverview {\n    projects {\n      id\n      slug\n      name\n      experiments {\n        id\n        name\n        isDefault\n        runCount\n        lastUpdatedAt\n      }\n    }\n  }\n": types.TrackingOverviewDocument,
    "\n  query ProjectTracking($slug: String!) {\n    project(slug: $slug) {\n      id\n      slug\n      isMyDefault\n      experiments {\n        id\n        name\n        isDefault\n        runCount\n        createdAt\n        lastUpdatedAt\n      }\n    }\n  }\n": types.ProjectTrackingDocument,
    "\n  mutation SetDefaultProject($projectId: ID!) {\n    setDefaultProject(projectId: $projectId) {\n      id\n      isMyDefault\n    }\n  }\n": types.SetDefaultProjectDocument,
    "\n  query Run($runId: String!) {\n    run(runId: $runId) {\n      ...RunSummaryFields\n      mlflowStatus\n      lifecycleStage\n      durationMs\n      heartbeatAt\n      artifactUri\n      gitCommit\n      gitRepo\n      imageDigest\n      user {\n        ...UserRefFields\n      }\n      experiment {\n        id\n        name\n        project {\n          id\n          slug\n          name\n        }\n      }\n      parentRun {\n        runId\n        name\n      }\n      ...RunValuesFields\n      # Merges into RunValuesFields' latestMetrics: the run page also shows when each was logged.\n      latestMetrics {\n        timestamp\n        ...MetricExtremesFields\n      }\n      inputs {\n        kind\n        name\n        digest\n        descriptor\n        datasetVersion {\n          id\n          number\n          dataset {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n": types.RunDocument,
    "\n  query RunLive($runId: String!) {\n    run(runId: $runId) {\n      runId\n      status\n      mlflowStatus\n      endTime\n      durationMs\n      heartbeatAt\n      latestMetrics {\n        ...LatestMetricFields\n        timestamp\n        # As RunQuery reads them: a poll's list replaces the page's, which must not lose fields (or be read again whole).\n        ...MetricExtremesFields\n      }\n    }\n  }\n": types.RunLiveDocument,
    "\n  query MetricHistory($runId: String!, $key: String!, $first: Int, $after: String) {\n    run(runId: $runId) {\n      runId\n      metricHistory(key: $key, first: $first, after: $after) {\n        key\n        steps\n        timestamps\n        values\n        nonFinite\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n": types.MetricHistoryDocument,
    "\n  query RunLogTail($runId: String!, $last: Int, $before: String) {\n    run(runId: $runId) {\n      runId\n      logTail(last: $last, before: $before) {\n        ...RunLogPageFields\n      }\n    }\n  }\n": types.RunLogTailDocument,
    "\n  query RunLogs($runId: String!, $first: Int, $after: String) {\n    run(runId: $runId) {\n      runId\n      logs(first: $first, after: $after) {\n        ...RunLogPageFields\n      }\n    }\n  }\n": types.RunLogsDocument,
    "\n  fragment RunLogPageFields on RunLogPage {\n    lines {\n      id\n      time\n      stream\n      line\n    }\n    hasEarlier\n    earlierCursor\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n": types.RunLogPageFieldsFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangeMyPassword($input: ChangeMyPasswordInput!) {\n    changeMyPassword(input: $input)\n  }\n"): (typeof documents)["\n  mutation ChangeMyPassword($input: ChangeMyPasswordInput!) {\n    changeMyPassword(input: $input)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Users {\n    users {\n      id\n      username\n      displayName\n      email\n      kind\n      globalRole\n      isActive\n      createdAt\n      deactivatedAt\n    }\n  }\n"): (typeof documents)["\n  query Users {\n    users {\n      id\n      username\n      displayName\n      email\n      kind\n      globalRole\n      isActive\n      createdAt\n      deactivatedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      id\n      username\n    }\n  }\n"): (typeof documents)["\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      id\n      username\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeactivateUser($input: DeactivateUserInput!) {\n    deactivateUser(input: $input) {\n      id\n      isActive\n      deactivatedAt\n    }\n  }\n"): (typeof documents)["\n  mutation DeactivateUser($input: DeactivateUserInput!) {\n    deactivateUser(input: $input) {\n      id\n      isActive\n      deactivatedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetUserGlobalRole($input: SetUserGlobalRoleInput!) {\n    setUserGlobalRole(input: $input) {\n      id\n      globalRole\n    }\n  }\n"): (typeof documents)["\n  mutation SetUserGlobalRole($input: SetUserGlobalRoleInput!) {\n    setUserGlobalRole(input: $input) {\n      id\n      globalRole\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReactivateUser($input: ReactivateUserInput!) {\n    reactivateUser(input: $input) {\n      id\n      isActive\n      deactivatedAt\n    }\n  }\n"): (typeof documents)["\n  mutation ReactivateUser($input: ReactivateUserInput!) {\n    reactivateUser(input: $input) {\n      id\n      isActive\n      deactivatedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetUserPassword($input: ResetUserPasswordInput!) {\n    resetUserPassword(input: $input) {\n      id\n    }\n  }\n"): (typeof documents)["\n  mutation ResetUserPassword($input: ResetUserPasswordInput!) {\n    resetUserPassword(input: $input) {\n      id\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      user {\n        id\n        username\n        displayName\n        kind\n        globalRole\n      }\n      globalPermissions\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      user {\n        id\n        username\n        displayName\n        kind\n        globalRole\n      }\n      globalPermissions\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditEvents($filter: AuditEventFilter, $first: Int!, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          seq\n          time\n          actorId\n          actorLabel\n          action\n          entityType\n          entityId\n          projectId\n          before\n          after\n          reason\n          prevHash\n          hash\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuditEvents($filter: AuditEventFilter, $first: Int!, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          seq\n          time\n          actorId\n          actorLabel\n          action\n          entityType\n          entityId\n          projectId\n          before\n          after\n          reason\n          prevHash\n          hash\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditChainStatus {\n    auditChainStatus {\n      ok\n      checkedEvents\n      lastSeq\n      lastHash\n      brokenAtSeq\n      problem\n      unacknowledgedBreaks\n      breaks {\n        seq\n        kind\n        problem\n        storedHash\n        expectedHash\n        acknowledged {\n          seq\n          by\n          reason\n          time\n        }\n      }\n      checkpointsChecked\n      checkpointsFound\n      checkpointsExpected\n      verifiedAt\n    }\n  }\n"): (typeof documents)["\n  query AuditChainStatus {\n    auditChainStatus {\n      ok\n      checkedEvents\n      lastSeq\n      lastHash\n      brokenAtSeq\n      problem\n      unacknowledgedBreaks\n      breaks {\n        seq\n        kind\n        problem\n        storedHash\n        expectedHash\n        acknowledged {\n          seq\n          by\n          reason\n          time\n        }\n      }\n      checkpointsChecked\n      checkpointsFound\n      checkpointsExpected\n      verifiedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CompareProject($slug: String!) {\n    project(slug: $slug) {\n      id\n      slug\n      name\n      myPermissions\n    }\n  }\n"): (typeof documents)["\n  query CompareProject($slug: String!) {\n    project(slug: $slug) {\n      id\n      slug\n      name\n      myPermissions\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CompareRuns($projectId: ID!, $runIds: [String!]!) {\n    compareRuns(projectId: $projectId, runIds: $runIds) {\n      ...RunSummaryFields\n      experiment {\n        id\n        name\n      }\n      ...RunValuesFields\n      # Merges into RunValuesFields' latestMetrics: the scatter and parallel coordinates can plot each metric's best.\n      latestMetrics {\n        ...MetricExtremesFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query CompareRuns($projectId: ID!, $runIds: [String!]!) {\n    compareRuns(projectId: $projectId, runIds: $runIds) {\n      ...RunSummaryFields\n      experiment {\n        id\n        name\n      }\n      ...RunValuesFields\n      # Merges into RunValuesFields' latestMetrics: the scatter and parallel coordinates can plot each metric's best.\n      latestMetrics {\n        ...MetricExtremesFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MetricSeries(\n    $projectId: ID!\n    $runIds: [String!]!\n    $keys: [String!]!\n    $fromStep: Float\n    $toStep: Float\n    $buckets: Int\n    $withTimes: Boolean!\n  ) {\n    metricSeries(projectId: $projectId, runIds: $runIds, keys: $keys, fromStep: $fromStep, toStep: $toStep, buckets: $buckets) {\n      fromStep\n      toStep\n      bucketWidth\n      bucketCount\n      exact\n      tierLevel\n      series {\n        runId\n        key\n        pointCount\n        buckets\n        steps\n        timestamps @include(if: $withTimes)\n        last\n        min\n        max\n      }\n    }\n  }\n"): (typeof documents)["\n  query MetricSeries(\n    $projectId: ID!\n    $runIds: [String!]!\n    $keys: [String!]!\n    $fromStep: Float\n    $toStep: Float\n    $buckets: Int\n    $withTimes: Boolean!\n  ) {\n    metricSeries(projectId: $projectId, runIds: $runIds, keys: $keys, fromStep: $fromStep, toStep: $toStep, buckets: $buckets) {\n      fromStep\n      toStep\n      bucketWidth\n      bucketCount\n      exact\n      tierLevel\n      series {\n        runId\n        key\n        pointCount\n        buckets\n        steps\n        timestamps @include(if: $withTimes)\n        last\n        min\n        max\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SavedViews($projectId: ID!, $kind: SavedViewKind!) {\n    savedViews(projectId: $projectId, kind: $kind) {\n      id\n      name\n      updatedAt\n      state {\n        key\n        value\n      }\n      createdBy {\n        id\n        username\n      }\n    }\n  }\n"): (typeof documents)["\n  query SavedViews($projectId: ID!, $kind: SavedViewKind!) {\n    savedViews(projectId: $projectId, kind: $kind) {\n      id\n      name\n      updatedAt\n      state {\n        key\n        value\n      }\n      createdBy {\n        id\n        username\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SaveView($input: SaveViewInput!) {\n    saveView(input: $input) {\n      id\n      name\n      updatedAt\n      state {\n        key\n        value\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SaveView($input: SaveViewInput!) {\n    saveView(input: $input) {\n      id\n      name\n      updatedAt\n      state {\n        key\n        value\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteView($input: DeleteViewInput!) {\n    deleteView(input: $input)\n  }\n"): (typeof documents)["\n  mutation DeleteView($input: DeleteViewInput!) {\n    deleteView(input: $input)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectDatasets($projectId: ID!) {\n    datasets(projectId: $projectId) {\n      id\n      name\n      description\n      createdAt\n      versions {\n        id\n        number\n        state\n      }\n    }\n  }\n"): (typeof documents)["\n  query ProjectDatasets($projectId: ID!) {\n    datasets(projectId: $projectId) {\n      id\n      name\n      description\n      createdAt\n      versions {\n        id\n        number\n        state\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateDataset($input: CreateDatasetInput!) {\n    createDataset(input: $input) {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  mutation CreateDataset($input: CreateDatasetInput!) {\n    createDataset(input: $input) {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DatasetVersionSummaryFields on DatasetVersion {\n    id\n    number\n    state\n    parentId\n    createdAt\n    sealedAt\n    splitSeed\n    splitRatios {\n      train\n      val\n      test\n    }\n    counts {\n      items\n      patients\n    }\n  }\n"): (typeof documents)["\n  fragment DatasetVersionSummaryFields on DatasetVersion {\n    id\n    number\n    state\n    parentId\n    createdAt\n    sealedAt\n    splitSeed\n    splitRatios {\n      train\n      val\n      test\n    }\n    counts {\n      items\n      patients\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Dataset($id: ID!) {\n    dataset(id: $id) {\n      id\n      projectId\n      name\n      description\n      createdAt\n      versions {\n        ...DatasetVersionSummaryFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Dataset($id: ID!) {\n    dataset(id: $id) {\n      id\n      projectId\n      name\n      description\n      createdAt\n      versions {\n        ...DatasetVersionSummaryFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateDatasetVersion($input: CreateDatasetVersionInput!) {\n    createDatasetVersion(input: $input) {\n      id\n      number\n    }\n  }\n"): (typeof documents)["\n  mutation CreateDatasetVersion($input: CreateDatasetVersionInput!) {\n    createDatasetVersion(input: $input) {\n      id\n      number\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DatasetVersion($id: ID!) {\n    datasetVersion(id: $id) {\n      id\n      datasetId\n      number\n      state\n      parentId\n      createdAt\n      sealedAt\n      splitMode\n      splitSeed\n      splitRatios {\n        train\n        val\n        test\n      }\n      stratifyByLabel\n      labelSet\n      manifestKey\n      manifestSha256\n      deidAttestation {\n        method\n        summary\n        attestedAt\n      }\n      counts {\n        items\n        patients\n        studies\n        series\n        bytes\n        bySplit {\n          split\n          items\n          patients\n          studies\n        }\n        byModality {\n          value\n          items\n        }\n        byLabel {\n          value\n          items\n        }\n      }\n      children {\n        id\n        number\n        state\n      }\n    }\n  }\n"): (typeof documents)["\n  query DatasetVersion($id: ID!) {\n    datasetVersion(id: $id) {\n      id\n      datasetId\n      number\n      state\n      parentId\n      createdAt\n      sealedAt\n      splitMode\n      splitSeed\n      splitRatios {\n        train\n        val\n        test\n      }\n      stratifyByLabel\n      labelSet\n      manifestKey\n      manifestSha256\n      deidAttestation {\n        method\n        summary\n        attestedAt\n      }\n      counts {\n        items\n        patients\n        studies\n        series\n        bytes\n        bySplit {\n          split\n          items\n          patients\n          studies\n        }\n        byModality {\n          value\n          items\n        }\n        byLabel {\n          value\n          items\n        }\n      }\n      children {\n        id\n        number\n        state\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DatasetOfVersion($id: ID!) {\n    dataset(id: $id) {\n      id\n      projectId\n      name\n      versions {\n        id\n        number\n        state\n      }\n    }\n  }\n"): (typeof documents)["\n  query DatasetOfVersion($id: ID!) {\n    dataset(id: $id) {\n      id\n      projectId\n      name\n      versions {\n        id\n        number\n        state\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DatasetItemsPage($id: ID!, $first: Int!, $after: String, $split: DatasetSplit) {\n    datasetVersion(id: $id) {\n      id\n      items(first: $first, after: $after, split: $split) {\n        items {\n          itemKey\n          patientKey\n          studyUid\n          seriesUid\n          modality\n          split\n          label\n          sizeBytes\n          sha256\n        }\n        next\n      }\n    }\n  }\n"): (typeof documents)["\n  query DatasetItemsPage($id: ID!, $first: Int!, $after: String, $split: DatasetSplit) {\n    datasetVersion(id: $id) {\n      id\n      items(first: $first, after: $after, split: $split) {\n        items {\n          itemKey\n          patientKey\n          studyUid\n          seriesUid\n          modality\n          split\n          label\n          sizeBytes\n          sha256\n        }\n        next\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DatasetVersionDiff($fromId: ID!, $toId: ID!, $first: Int!) {\n    datasetVersionDiff(fromId: $fromId, toId: $toId, first: $first) {\n      counts {\n        added\n        removed\n        changed\n        moved\n        relabelled\n        unchanged\n      }\n      rows {\n        itemKey\n        kind\n        fromSplit\n        toSplit\n        fromLabel\n        toLabel\n      }\n    }\n  }\n"): (typeof documents)["\n  query DatasetVersionDiff($fromId: ID!, $toId: ID!, $first: Int!) {\n    datasetVersionDiff(fromId: $fromId, toId: $toId, first: $first) {\n      counts {\n        added\n        removed\n        changed\n        moved\n        relabelled\n        unchanged\n      }\n      rows {\n        itemKey\n        kind\n        fromSplit\n        toSplit\n        fromLabel\n        toLabel\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SealDatasetVersion($input: SealDatasetVersionInput!) {\n    sealDatasetVersion(input: $input) {\n      id\n      state\n      sealedAt\n      manifestKey\n      manifestSha256\n      deidAttestation {\n        method\n        summary\n        attestedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SealDatasetVersion($input: SealDatasetVersionInput!) {\n    sealDatasetVersion(input: $input) {\n      id\n      state\n      sealedAt\n      manifestKey\n      manifestSha256\n      deidAttestation {\n        method\n        summary\n        attestedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteDatasetVersion($versionId: ID!) {\n    deleteDatasetVersion(versionId: $versionId)\n  }\n"): (typeof documents)["\n  mutation DeleteDatasetVersion($versionId: ID!) {\n    deleteDatasetVersion(versionId: $versionId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query VersionSource($id: ID!) {\n    datasetVersion(id: $id) {\n      id\n      source\n    }\n  }\n"): (typeof documents)["\n  query VersionSource($id: ID!) {\n    datasetVersion(id: $id) {\n      id\n      source\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment VersionRunFields on DatasetVersionRunConnection {\n    totalCount\n    edges {\n      cursor\n      node {\n        runId\n        name\n        status\n        startTime\n        experimentId\n        experimentName\n        createdByName\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n"): (typeof documents)["\n  fragment VersionRunFields on DatasetVersionRunConnection {\n    totalCount\n    edges {\n      cursor\n      node {\n        runId\n        name\n        status\n        startTime\n        experimentId\n        experimentName\n        createdByName\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DatasetVersionUsage($id: ID!, $first: Int!) {\n    datasetVersion(id: $id) {\n      id\n      runs(first: $first) {\n        ...VersionRunFields\n      }\n      models(first: 50) {\n        id\n        modelName\n        version\n        stage\n        status\n        runId\n        runName\n        createdAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query DatasetVersionUsage($id: ID!, $first: Int!) {\n    datasetVersion(id: $id) {\n      id\n      runs(first: $first) {\n        ...VersionRunFields\n      }\n      models(first: 50) {\n        id\n        modelName\n        version\n        stage\n        status\n        runId\n        runName\n        createdAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DatasetVersionRunsPage($id: ID!, $first: Int!, $after: String) {\n    datasetVersion(id: $id) {\n      id\n      runs(first: $first, after: $after) {\n        ...VersionRunFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query DatasetVersionRunsPage($id: ID!, $first: Int!, $after: String) {\n    datasetVersion(id: $id) {\n      id\n      runs(first: $first, after: $after) {\n        ...VersionRunFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PacsPreview($projectId: ID!, $query: PacsQueryInput!, $limit: Int!) {\n    pacsPreview(projectId: $projectId, query: $query, limit: $limit) {\n      patients\n      studies\n      series\n      instances\n      truncated\n      studyList {\n        studyInstanceUid\n        studyDate\n        modalities\n        seriesDescriptions\n        bodyParts\n        series\n        instances\n      }\n    }\n  }\n"): (typeof documents)["\n  query PacsPreview($projectId: ID!, $query: PacsQueryInput!, $limit: Int!) {\n    pacsPreview(projectId: $projectId, query: $query, limit: $limit) {\n      patients\n      studies\n      series\n      instances\n      truncated\n      studyList {\n        studyInstanceUid\n        studyDate\n        modalities\n        seriesDescriptions\n        bodyParts\n        series\n        instances\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ImportFromPacs($input: ImportFromPacsInput!) {\n    importFromPacs(input: $input) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation ImportFromPacs($input: ImportFromPacsInput!) {\n    importFromPacs(input: $input) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PacsImportProgress($id: ID!) {\n    datasetVersion(id: $id) {\n      id\n      number\n      counts {\n        items\n        patients\n      }\n      imports {\n        id\n        status\n        total\n        done\n        skipped\n        failed\n        error\n        failures {\n          sopInstanceUid\n          error\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PacsImportProgress($id: ID!) {\n    datasetVersion(id: $id) {\n      id\n      number\n      counts {\n        items\n        patients\n      }\n      imports {\n        id\n        status\n        total\n        done\n        skipped\n        failed\n        error\n        failures {\n          sopInstanceUid\n          error\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DatasetVerificationFields on DatasetVerification {\n    id\n    status\n    total\n    checked\n    ok\n    changed\n    missing\n    errors\n    error\n    createdAt\n    startedAt\n    finishedAt\n  }\n"): (typeof documents)["\n  fragment DatasetVerificationFields on DatasetVerification {\n    id\n    status\n    total\n    checked\n    ok\n    changed\n    missing\n    errors\n    error\n    createdAt\n    startedAt\n    finishedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DatasetVerificationDriftFields on DatasetVerificationDrift {\n    itemKey\n    kind\n    sopUid\n    objectKey\n    expectedSha256\n    actualSha256\n    reason\n  }\n"): (typeof documents)["\n  fragment DatasetVerificationDriftFields on DatasetVerificationDrift {\n    itemKey\n    kind\n    sopUid\n    objectKey\n    expectedSha256\n    actualSha256\n    reason\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LatestVerification($id: ID!, $first: Int!) {\n    datasetVersion(id: $id) {\n      id\n      verifications(first: 1) {\n        ...DatasetVerificationFields\n        drifts(first: $first) {\n          drifts {\n            ...DatasetVerificationDriftFields\n          }\n          next\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query LatestVerification($id: ID!, $first: Int!) {\n    datasetVersion(id: $id) {\n      id\n      verifications(first: 1) {\n        ...DatasetVerificationFields\n        drifts(first: $first) {\n          drifts {\n            ...DatasetVerificationDriftFields\n          }\n          next\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query VerificationDrifts($id: ID!, $first: Int!, $after: String) {\n    datasetVersion(id: $id) {\n      id\n      verifications(first: 1) {\n        id\n        drifts(first: $first, after: $after) {\n          drifts {\n            ...DatasetVerificationDriftFields\n          }\n          next\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query VerificationDrifts($id: ID!, $first: Int!, $after: String) {\n    datasetVersion(id: $id) {\n      id\n      verifications(first: 1) {\n        id\n        drifts(first: $first, after: $after) {\n          drifts {\n            ...DatasetVerificationDriftFields\n          }\n          next\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyDatasetVersion($versionId: ID!) {\n    verifyDatasetVersion(versionId: $versionId) {\n      ...DatasetVerificationFields\n    }\n  }\n"): (typeof documents)["\n  mutation VerifyDatasetVersion($versionId: ID!) {\n    verifyDatasetVersion(versionId: $versionId) {\n      ...DatasetVerificationFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ExperimentDetails($id: ID!) {\n    experiment(id: $id) {\n      id\n      name\n      isDefault\n      lifecycleStage\n      createdAt\n      runCount\n      tags {\n        key\n        value\n      }\n      project {\n        id\n        slug\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query ExperimentDetails($id: ID!) {\n    experiment(id: $id) {\n      id\n      name\n      isDefault\n      lifecycleStage\n      createdAt\n      runCount\n      tags {\n        key\n        value\n      }\n      project {\n        id\n        slug\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectModels($projectId: ID!, $first: Int!, $after: String) {\n    registeredModels(projectId: $projectId, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          description\n          lastUpdatedAt\n          versions {\n            id\n            version\n            lastUpdatedAt\n            validation {\n              status\n            }\n          }\n        }\n      }\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n    }\n  }\n"): (typeof documents)["\n  query ProjectModels($projectId: ID!, $first: Int!, $after: String) {\n    registeredModels(projectId: $projectId, first: $first, after: $after) {\n      edges {\n        node {\n          id\n          name\n          description\n          lastUpdatedAt\n          versions {\n            id\n            version\n            lastUpdatedAt\n            validation {\n              status\n            }\n          }\n        }\n      }\n      pageInfo {\n        endCursor\n        hasNextPage\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ModelValidationFields on ModelValidation {\n    status\n    reason\n    sha256\n    opset\n    taskType\n    preprocessing\n    postprocessing\n    filePath\n    validatedAt\n    inputs {\n      name\n      dtype\n      shape\n    }\n    outputs {\n      name\n      dtype\n      shape\n    }\n  }\n"): (typeof documents)["\n  fragment ModelValidationFields on ModelValidation {\n    status\n    reason\n    sha256\n    opset\n    taskType\n    preprocessing\n    postprocessing\n    filePath\n    validatedAt\n    inputs {\n      name\n      dtype\n      shape\n    }\n    outputs {\n      name\n      dtype\n      shape\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RegisteredModel($projectId: ID!, $name: String!) {\n    registeredModel(projectId: $projectId, name: $name) {\n      id\n      name\n      description\n      createdAt\n      lastUpdatedAt\n      versions {\n        id\n        version\n        createdAt\n        lastUpdatedAt\n        runId\n        artifactPath\n        artifactDigest\n        stage\n        description\n        validation {\n          ...ModelValidationFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RegisteredModel($projectId: ID!, $name: String!) {\n    registeredModel(projectId: $projectId, name: $name) {\n      id\n      name\n      description\n      createdAt\n      lastUpdatedAt\n      versions {\n        id\n        version\n        createdAt\n        lastUpdatedAt\n        runId\n        artifactPath\n        artifactDigest\n        stage\n        description\n        validation {\n          ...ModelValidationFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterModelVersion($input: RegisterModelVersionInput!) {\n    registerModelVersion(input: $input) {\n      id\n      version\n      modelName\n    }\n  }\n"): (typeof documents)["\n  mutation RegisterModelVersion($input: RegisterModelVersionInput!) {\n    registerModelVersion(input: $input) {\n      id\n      version\n      modelName\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Projects {\n    projects {\n      ...ProjectSummaryFields\n    }\n  }\n"): (typeof documents)["\n  query Projects {\n    projects {\n      ...ProjectSummaryFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ProjectSummaryFields on Project {\n    id\n    slug\n    name\n    description\n    createdAt\n    archivedAt\n    myRoles\n    myPermissions\n    memberCount\n  }\n"): (typeof documents)["\n  fragment ProjectSummaryFields on Project {\n    id\n    slug\n    name\n    description\n    createdAt\n    archivedAt\n    myRoles\n    myPermissions\n    memberCount\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      id\n      slug\n      name\n    }\n  }\n"): (typeof documents)["\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      id\n      slug\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Project($slug: String!) {\n    project(slug: $slug) {\n      ...ProjectSummaryFields\n      members {\n        user {\n          ...UserRefFields\n          kind\n          isActive\n        }\n        roles\n        createdAt\n        updatedAt\n      }\n      apiTokens {\n        id\n        name\n        roles\n        runId\n        owner {\n          ...UserRefFields\n        }\n        createdAt\n        expiresAt\n        revokedAt\n        lastUsedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query Project($slug: String!) {\n    project(slug: $slug) {\n      ...ProjectSummaryFields\n      members {\n        user {\n          ...UserRefFields\n          kind\n          isActive\n        }\n        roles\n        createdAt\n        updatedAt\n      }\n      apiTokens {\n        id\n        name\n        roles\n        runId\n        owner {\n          ...UserRefFields\n        }\n        createdAt\n        expiresAt\n        revokedAt\n        lastUsedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProject($input: UpdateProjectInput!) {\n    updateProject(input: $input) {\n      id\n      name\n      description\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateProject($input: UpdateProjectInput!) {\n    updateProject(input: $input) {\n      id\n      name\n      description\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddProjectMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) {\n      user {\n        id\n        username\n      }\n      roles\n    }\n  }\n"): (typeof documents)["\n  mutation AddProjectMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) {\n      user {\n        id\n        username\n      }\n      roles\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetProjectMemberRoles($input: SetProjectMemberRolesInput!) {\n    setProjectMemberRoles(input: $input) {\n      user {\n        id\n      }\n      roles\n    }\n  }\n"): (typeof documents)["\n  mutation SetProjectMemberRoles($input: SetProjectMemberRolesInput!) {\n    setProjectMemberRoles(input: $input) {\n      user {\n        id\n      }\n      roles\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveProjectMember($input: RemoveProjectMemberInput!) {\n    removeProjectMember(input: $input)\n  }\n"): (typeof documents)["\n  mutation RemoveProjectMember($input: RemoveProjectMemberInput!) {\n    removeProjectMember(input: $input)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      token\n      apiToken {\n        id\n        name\n        roles\n        expiresAt\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      token\n      apiToken {\n        id\n        name\n        roles\n        expiresAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      id\n      revokedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MemberCandidates($input: MemberCandidatesInput!) {\n    memberCandidates(input: $input) {\n      username\n      displayName\n    }\n  }\n"): (typeof documents)["\n  query MemberCandidates($input: MemberCandidatesInput!) {\n    memberCandidates(input: $input) {\n      username\n      displayName\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PiCandidates($input: PiCandidatesInput!) {\n    piCandidates(input: $input) {\n      username\n      displayName\n    }\n  }\n"): (typeof documents)["\n  query PiCandidates($input: PiCandidatesInput!) {\n    piCandidates(input: $input) {\n      username\n      displayName\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunsTablePage($id: ID!, $first: Int, $after: String, $filter: String, $orderBy: [String!]) {\n    experiment(id: $id) {\n      id\n      runs(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          cursor\n          node {\n            ...RunRowFields\n            ...RunValuesFields\n            # Merges into RunValuesFields' latestMetrics: each metric's best sits beside its latest.\n            latestMetrics {\n              ...MetricExtremesFields\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RunsTablePage($id: ID!, $first: Int, $after: String, $filter: String, $orderBy: [String!]) {\n    experiment(id: $id) {\n      id\n      runs(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          cursor\n          node {\n            ...RunRowFields\n            ...RunValuesFields\n            # Merges into RunValuesFields' latestMetrics: each metric's best sits beside its latest.\n            latestMetrics {\n              ...MetricExtremesFields\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunColumnKeys($id: ID!) {\n    experiment(id: $id) {\n      id\n      project {\n        id\n        myPermissions\n      }\n      runKeys {\n        params\n        metrics\n        tags\n      }\n    }\n  }\n"): (typeof documents)["\n  query RunColumnKeys($id: ID!) {\n    experiment(id: $id) {\n      id\n      project {\n        id\n        myPermissions\n      }\n      runKeys {\n        params\n        metrics\n        tags\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunGroups($id: ID!, $by: String!, $filter: String) {\n    experiment(id: $id) {\n      id\n      runGroups(by: $by, filter: $filter) {\n        groups {\n          value\n          count\n        }\n        truncated\n      }\n    }\n  }\n"): (typeof documents)["\n  query RunGroups($id: ID!, $by: String!, $filter: String) {\n    experiment(id: $id) {\n      id\n      runGroups(by: $by, filter: $filter) {\n        groups {\n          value\n          count\n        }\n        truncated\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MetricDirections($projectId: ID!, $keys: [String!]!) {\n    metricDirections(projectId: $projectId, keys: $keys) {\n      id\n      key\n      direction\n      isDefault\n    }\n  }\n"): (typeof documents)["\n  query MetricDirections($projectId: ID!, $keys: [String!]!) {\n    metricDirections(projectId: $projectId, keys: $keys) {\n      id\n      key\n      direction\n      isDefault\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetMetricDirection($input: SetMetricDirectionInput!) {\n    setMetricDirection(input: $input) {\n      id\n      key\n      direction\n      isDefault\n    }\n  }\n"): (typeof documents)["\n  mutation SetMetricDirection($input: SetMetricDirectionInput!) {\n    setMetricDirection(input: $input) {\n      id\n      key\n      direction\n      isDefault\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment KeyValueFields on KeyValue {\n    key\n    value\n  }\n"): (typeof documents)["\n  fragment KeyValueFields on KeyValue {\n    key\n    value\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LatestMetricFields on LatestMetric {\n    key\n    value\n    nonFinite\n    step\n  }\n"): (typeof documents)["\n  fragment LatestMetricFields on LatestMetric {\n    key\n    value\n    nonFinite\n    step\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MetricExtremesFields on LatestMetric {\n    key\n    min {\n      value\n      step\n    }\n    max {\n      value\n      step\n    }\n  }\n"): (typeof documents)["\n  fragment MetricExtremesFields on LatestMetric {\n    key\n    min {\n      value\n      step\n    }\n    max {\n      value\n      step\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UserRefFields on User {\n    id\n    username\n    displayName\n  }\n"): (typeof documents)["\n  fragment UserRefFields on User {\n    id\n    username\n    displayName\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RunSummaryFields on Run {\n    runId\n    name\n    status\n    startTime\n    endTime\n  }\n"): (typeof documents)["\n  fragment RunSummaryFields on Run {\n    runId\n    name\n    status\n    startTime\n    endTime\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RunValuesFields on Run {\n    params {\n      ...KeyValueFields\n    }\n    tags {\n      ...KeyValueFields\n    }\n    latestMetrics {\n      ...LatestMetricFields\n    }\n  }\n"): (typeof documents)["\n  fragment RunValuesFields on Run {\n    params {\n      ...KeyValueFields\n    }\n    tags {\n      ...KeyValueFields\n    }\n    latestMetrics {\n      ...LatestMetricFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RunRowFields on Run {\n    ...RunSummaryFields\n    mlflowStatus\n    durationMs\n    user {\n      ...UserRefFields\n    }\n  }\n"): (typeof documents)["\n  fragment RunRowFields on Run {\n    ...RunSummaryFields\n    mlflowStatus\n    durationMs\n    user {\n      ...UserRefFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TrackingOverview {\n    projects {\n      id\n      slug\n      name\n      experiments {\n        id\n        name\n        isDefault\n        runCount\n        lastUpdatedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query TrackingOverview {\n    projects {\n      id\n      slug\n      name\n      experiments {\n        id\n        name\n        isDefault\n        runCount\n        lastUpdatedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectTracking($slug: String!) {\n    project(slug: $slug) {\n      id\n      slug\n      isMyDefault\n      experiments {\n        id\n        name\n        isDefault\n        runCount\n        createdAt\n        lastUpdatedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query ProjectTracking($slug: String!) {\n    project(slug: $slug) {\n      id\n      slug\n      isMyDefault\n      experiments {\n        id\n        name\n        isDefault\n        runCount\n        createdAt\n        lastUpdatedAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetDefaultProject($projectId: ID!) {\n    setDefaultProject(projectId: $projectId) {\n      id\n      isMyDefault\n    }\n  }\n"): (typeof documents)["\n  mutation SetDefaultProject($projectId: ID!) {\n    setDefaultProject(projectId: $projectId) {\n      id\n      isMyDefault\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Run($runId: String!) {\n    run(runId: $runId) {\n      ...RunSummaryFields\n      mlflowStatus\n      lifecycleStage\n      durationMs\n      heartbeatAt\n      artifactUri\n      gitCommit\n      gitRepo\n      imageDigest\n      user {\n        ...UserRefFields\n      }\n      experiment {\n        id\n        name\n        project {\n          id\n          slug\n          name\n        }\n      }\n      parentRun {\n        runId\n        name\n      }\n      ...RunValuesFields\n      # Merges into RunValuesFields' latestMetrics: the run page also shows when each was logged.\n      latestMetrics {\n        timestamp\n        ...MetricExtremesFields\n      }\n      inputs {\n        kind\n        name\n        digest\n        descriptor\n        datasetVersion {\n          id\n          number\n          dataset {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Run($runId: String!) {\n    run(runId: $runId) {\n      ...RunSummaryFields\n      mlflowStatus\n      lifecycleStage\n      durationMs\n      heartbeatAt\n      artifactUri\n      gitCommit\n      gitRepo\n      imageDigest\n      user {\n        ...UserRefFields\n      }\n      experiment {\n        id\n        name\n        project {\n          id\n          slug\n          name\n        }\n      }\n      parentRun {\n        runId\n        name\n      }\n      ...RunValuesFields\n      # Merges into RunValuesFields' latestMetrics: the run page also shows when each was logged.\n      latestMetrics {\n        timestamp\n        ...MetricExtremesFields\n      }\n      inputs {\n        kind\n        name\n        digest\n        descriptor\n        datasetVersion {\n          id\n          number\n          dataset {\n            id\n            name\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunLive($runId: String!) {\n    run(runId: $runId) {\n      runId\n      status\n      mlflowStatus\n      endTime\n      durationMs\n      heartbeatAt\n      latestMetrics {\n        ...LatestMetricFields\n        timestamp\n        # As RunQuery reads them: a poll's list replaces the page's, which must not lose fields (or be read again whole).\n        ...MetricExtremesFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query RunLive($runId: String!) {\n    run(runId: $runId) {\n      runId\n      status\n      mlflowStatus\n      endTime\n      durationMs\n      heartbeatAt\n      latestMetrics {\n        ...LatestMetricFields\n        timestamp\n        # As RunQuery reads them: a poll's list replaces the page's, which must not lose fields (or be read again whole).\n        ...MetricExtremesFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MetricHistory($runId: String!, $key: String!, $first: Int, $after: String) {\n    run(runId: $runId) {\n      runId\n      metricHistory(key: $key, first: $first, after: $after) {\n        key\n        steps\n        timestamps\n        values\n        nonFinite\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query MetricHistory($runId: String!, $key: String!, $first: Int, $after: String) {\n    run(runId: $runId) {\n      runId\n      metricHistory(key: $key, first: $first, after: $after) {\n        key\n        steps\n        timestamps\n        values\n        nonFinite\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunLogTail($runId: String!, $last: Int, $before: String) {\n    run(runId: $runId) {\n      runId\n      logTail(last: $last, before: $before) {\n        ...RunLogPageFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query RunLogTail($runId: String!, $last: Int, $before: String) {\n    run(runId: $runId) {\n      runId\n      logTail(last: $last, before: $before) {\n        ...RunLogPageFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunLogs($runId: String!, $first: Int, $after: String) {\n    run(runId: $runId) {\n      runId\n      logs(first: $first, after: $after) {\n        ...RunLogPageFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query RunLogs($runId: String!, $first: Int, $after: String) {\n    run(runId: $runId) {\n      runId\n      logs(first: $first, after: $after) {\n        ...RunLogPageFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RunLogPageFields on RunLogPage {\n    lines {\n      id\n      time\n      stream\n      line\n    }\n    hasEarlier\n    earlierCursor\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n"): (typeof documents)["\n  fragment RunLogPageFields on RunLogPage {\n    lines {\n      id\n      time\n      stream\n      line\n    }\n    hasEarlier\n    earlierCursor\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;