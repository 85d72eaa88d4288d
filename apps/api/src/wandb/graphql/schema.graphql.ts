import { buildSchema } from 'graphql';

/**
 * The part of W&B's GraphQL schema that Trackbase serves: exactly the types
 * and fields the `wandb` client's operations select (from `wandb-core`'s
 * documents and the Python public API used by `use_artifact` and downloads).
 * Anything else fails validation and is answered as a GraphQL error, which
 * the client tolerates for its optional probes.
 */
export const WANDB_SDL = /* GraphQL */ `
  scalar JSONString
  scalar JSON
  scalar DateTime
  scalar Int64

  type Query {
    viewer: User
    serverInfo: ServerInfo
    entity(name: String): Entity
    organization(name: String): Organization
    model(name: String, entityName: String): Project
    project(name: String, entityName: String): Project
    clientIDMapping(clientID: ID!): ClientIDMapping
    artifact(id: ID!): Artifact
  }

  type Mutation {
    upsertBucket(input: UpsertBucketInput!): UpsertBucketPayload
    createRunFiles(input: CreateRunFilesInput!): CreateRunFilesPayload
    markRunFilesUploaded(input: CreateRunFilesInput!): MarkRunFilesUploadedPayload
    createArtifact(input: CreateArtifactInput!): CreateArtifactPayload
    createArtifactManifest(input: CreateArtifactManifestInput!): CreateArtifactManifestPayload
    updateArtifactManifest(input: UpdateArtifactManifestInput!): CreateArtifactManifestPayload
    createArtifactFiles(input: CreateArtifactFilesInput!): CreateArtifactFilesPayload
    commitArtifact(input: CommitArtifactInput!): CommitArtifactPayload
    completeMultipartUploadArtifact(input: CompleteMultipartUploadArtifactInput!): CompleteMultipartUploadArtifactPayload
    useArtifact(input: UseArtifactInput!): UseArtifactPayload
    updateArtifact(input: UpdateArtifactInput!): UpdateArtifactPayload
    addAliases(input: AddAliasesInput!): AliasesPayload
    deleteAliases(input: DeleteAliasesInput!): AliasesPayload
    deleteArtifact(input: DeleteArtifactInput!): DeleteArtifactPayload
    deleteRun(input: DeleteRunInput!): DeleteRunPayload
    linkArtifact(input: LinkArtifactInput!): LinkArtifactPayload
  }

  type User {
    id: ID!
    name: String
    username: String
    email: String
    entity: String
    admin: Boolean
    flags: JSONString
    teams(first: Int): EntityConnection
    apiKeys: ApiKeyConnection
  }

  type ApiKeyConnection {
    edges: [ApiKeyEdge!]!
  }
  type ApiKeyEdge {
    node: ApiKey
  }
  type ApiKey {
    id: ID!
    name: String!
    description: String
  }

  type EntityConnection {
    edges: [EntityEdge!]!
  }
  type EntityEdge {
    node: Entity
  }

  type Entity {
    id: ID!
    name: String!
    isTeam: Boolean
    organization: Organization
    xxhashDigestsEnabled: Boolean
    # Registry links resolve the organization from the entity (FetchOrgInfoFromEntity); an organization's entity has no user.
    user: EntityUser
  }

  type EntityUser {
    organizations: [Organization!]!
  }

  type Organization {
    id: ID!
    name: String!
    coreWeaveOrganizationId: String
    orgEntity: Entity
    featureFlags(rampIDType: RampIDType): [FeatureFlag!]!
  }

  enum RampIDType {
    OrgName
    UserName
    EntityName
  }

  type FeatureFlag {
    rampKey: String!
    isEnabled: Boolean!
  }

  type ServerInfo {
    features: [ServerFeature!]!
    cliVersionInfo: JSON
    latestLocalVersionInfo: LocalVersionInfo
    availableBucketProviders: [String!]
  }

  type LocalVersionInfo {
    outOfDate: Boolean!
    latestVersionString: String
    # Selected by older clients (0.22) once a wandb.Table is logged; no W&B server version to name.
    versionOnThisInstanceString: String
  }

  type ServerFeature {
    name: String!
    isEnabled: Boolean!
  }

  type Project {
    id: ID!
    name: String!
    entityName: String
    entity: Entity
    bucket(name: String!, missingOk: Boolean): Run
    run(name: String!): Run
    internalId: ID
    artifactType(name: String!): ArtifactType
    artifact(name: String!): Artifact
    artifactCollection(name: String!): ArtifactCollection
    artifactCollectionMembership(name: String!): ArtifactCollectionMembership
    # The public API's run queries (wandb.Api().runs): only empty filters are served.
    readOnly: Boolean
    runCount(filters: JSONString): Int!
    runs(filters: JSONString, after: String, first: Int, order: String): RunConnection
  }

  type RunConnection {
    edges: [RunEdge!]!
    pageInfo: PageInfo!
  }

  type RunEdge {
    node: Run!
    cursor: String!
  }

  input DeleteRunInput {
    clientMutationId: String
    id: ID!
    deleteArtifacts: Boolean
  }

  type DeleteRunPayload {
    clientMutationId: String
  }

  type RunUser {
    id: ID!
    name: String
    username: String
  }

  type Run {
    id: ID!
    name: String!
    displayName: String
    description: String
    notes: String
    config: JSONString
    summaryMetrics: JSONString
    tags: [String!]!
    state: String
    sweepName: String
    stopped: Boolean
    logLineCount: Int
    historyLineCount: Int
    eventsLineCount: Int
    historyTail: JSONString
    eventsTail: JSONString
    wandbConfig(keys: [String!]): JSONString
    project: Project
    # The public API (wandb.Api().run): projectId is the project's W&B number, read with int().
    projectId: Int!
    group: String
    jobType: String
    commit: String
    readOnly: Boolean
    createdAt: DateTime
    heartbeatAt: DateTime
    systemMetrics: JSONString
    user: RunUser
    historyKeys: JSON
    sampledHistory(specs: [JSONString!]!): [JSON!]!
    history(samples: Int): [String!]!
    events(samples: Int): [String!]!
    fileCount: Int
    files(names: [String], after: String, first: Int, pattern: String): FileConnection
  }

  input UpsertBucketInput {
    clientMutationId: String
    id: String
    name: String
    groupName: String
    modelName: String
    entityName: String
    description: String
    displayName: String
    notes: String
    config: JSONString
    commit: String
    host: String
    debug: Boolean
    jobProgram: String
    jobRepo: String
    jobType: String
    state: String
    sweep: String
    tags: [String!]
    summaryMetrics: JSONString
    framework: String
    runQueueItemId: ID
  }

  type UpsertBucketPayload {
    bucket: Run
    inserted: Boolean
    serverSettings: ServerSettings
  }

  # The Python sender of older clients (0.22's \`wandb sync\`) probes this type by introspection and
  # fails when it is missing; it then selects the messages a server shows the user (none here).
  type ServerSettings {
    serverMessages: [ServerMessage!]
  }

  type ServerMessage {
    utfText: String
    plainText: String
    htmlText: String
    messageType: String
    messageLevel: String
  }

  input CreateRunFilesInput {
    clientMutationId: String
    entityName: String!
    projectName: String!
    runName: String!
    files: [String!]!
  }

  type CreateRunFilesPayload {
    runID: ID!
    uploadHeaders: [String!]!
    files: [RunFileUpload!]!
  }

  type RunFileUpload {
    name: String!
    uploadUrl: String
  }

  type MarkRunFilesUploadedPayload {
    success: Boolean!
  }

  type ClientIDMapping {
    serverID: ID!
  }

  type ArtifactType {
    id: ID!
    name: String!
    artifactCollection(name: String!): ArtifactCollection
  }

  interface ArtifactCollection {
    id: ID!
    name: String!
    project: Project
    artifactMembership(aliasName: String!): ArtifactCollectionMembership
  }

  type ArtifactSequence implements ArtifactCollection {
    id: ID!
    name: String!
    project: Project
    artifactMembership(aliasName: String!): ArtifactCollectionMembership
    digestAlgorithm: String
    latestArtifact: Artifact
  }

  type ArtifactCollectionMembership {
    id: ID!
    versionIndex: Int
    createdAt: DateTime!
    aliases: [ArtifactAlias!]!
    artifactCollection: ArtifactCollection
    artifact: Artifact
    files(after: String, first: Int, names: [String!]): FileConnection!
  }

  type ArtifactAlias {
    id: ID!
    alias: String!
    artifactCollection: ArtifactCollection
  }

  type Tag {
    id: ID!
    name: String!
  }

  type PageInfo {
    endCursor: String
    hasNextPage: Boolean!
  }

  input ArtifactManifestEntryInput {
    name: String!
    digest: String!
    birthArtifactID: ID
    ref: String
    size: Int64
  }

  enum ArtifactState {
    PENDING
    COMMITTED
    DELETED
  }

  type Artifact {
    id: ID!
    artifactType: ArtifactType
    digest: String
    state: ArtifactState
    artifactSequence: ArtifactSequence
    versionIndex: Int
    description: String
    metadata: JSONString
    ttlDurationSeconds: Int64!
    ttlIsInherited: Boolean!
    tags: [Tag!]!
    historyStep: Int64
    size: Int64!
    commitHash: String
    fileCount: Int64!
    createdAt: DateTime!
    updatedAt: DateTime
    aliases: [ArtifactAlias!]!
    currentManifest: ArtifactManifest
    files(after: String, first: Int, names: [String!]): FileConnection!
    filesByManifestEntries(
      storageLayout: String!
      manifestVersion: String!
      entries: [ArtifactManifestEntryInput!]
      storageRegion: String
    ): FileConnection!
  }

  enum ArtifactDigestAlgorithm {
    MANIFEST_MD5
  }

  enum ArtifactStorageLayout {
    V1
    V2
  }

  enum ArtifactManifestType {
    FULL
    PATCH
    INCREMENTAL
  }

  input ArtifactAliasInput {
    artifactCollectionName: String!
    alias: String!
  }

  input CreateArtifactInput {
    clientMutationId: String
    artifactTypeName: String!
    artifactCollectionName: String
    artifactCollectionNames: [String!]
    entityName: String!
    projectName: String!
    runName: String
    description: String
    digest: String!
    digestAlgorithm: ArtifactDigestAlgorithm
    labels: JSONString
    aliases: [ArtifactAliasInput!]
    tags: [TagInput!]
    metadata: JSONString
    ttlDurationSeconds: Int64
    historyStep: Int64
    enableDigestDeduplication: Boolean
    distributedID: String
    clientID: ID
    sequenceClientID: ID
    storageRegion: String
  }

  input TagInput {
    tagCategoryName: String
    tagName: String!
    attributes: String
  }

  type CreateArtifactPayload {
    artifact: Artifact!
  }

  input CreateArtifactManifestInput {
    clientMutationId: String
    artifactID: ID!
    baseArtifactID: ID
    name: String!
    digest: String!
    entityName: String!
    projectName: String!
    runName: String!
    type: ArtifactManifestType
  }

  input UpdateArtifactManifestInput {
    clientMutationId: String
    artifactManifestID: ID!
    digest: String
    baseArtifactID: ID
  }

  type CreateArtifactManifestPayload {
    artifactManifest: ArtifactManifest!
  }

  type ArtifactManifest {
    id: ID!
    file: ManifestFile!
  }

  type ManifestFile {
    id: ID!
    name: String
    displayName: String
    uploadUrl: String
    uploadHeaders: [String!]!
    directUrl: String
  }

  input UploadPartsInput {
    partNumber: Int64!
    hexMD5: String!
  }

  input CreateArtifactFileSpecInput {
    artifactID: ID!
    name: String!
    md5: String!
    mimetype: String
    artifactManifestID: ID
    uploadPartsInput: [UploadPartsInput!]
  }

  input CreateArtifactFilesInput {
    clientMutationId: String
    artifactFiles: [CreateArtifactFileSpecInput!]!
    cloudRegionID: String
    storageLayout: ArtifactStorageLayout!
  }

  type CreateArtifactFilesPayload {
    files: FileConnection!
  }

  type FileConnection {
    pageInfo: PageInfo
    edges: [FileEdge!]!
  }

  type FileEdge {
    node: File
    cursor: String
  }

  type File {
    id: ID!
    name: String!
    displayName: String
    storagePath: String
    uploadUrl: String
    uploadHeaders: [String!]!
    uploadMultipartUrls: UploadMultipartUrls
    artifact: Artifact
    directUrl: String
    url(upload: Boolean): String
    sizeBytes: Int64
    digest: String
    mimetype: String
    updatedAt: DateTime
    md5: String
  }

  enum CompleteMultipartAction {
    Complete
    Abort
  }

  input CompleteMultipartUploadArtifactInput {
    clientMutationId: String
    completeMultipartAction: CompleteMultipartAction!
    completedParts: [UploadPartsInput!]!
    artifactID: ID!
    storagePath: String!
    uploadID: String!
  }

  type CompleteMultipartUploadArtifactPayload {
    digest: String
  }

  type UploadMultipartUrls {
    uploadID: String!
    uploadUrlParts: [UploadUrlPart!]!
  }

  type UploadUrlPart {
    partNumber: Int64!
    uploadUrl: String!
  }

  input CommitArtifactInput {
    clientMutationId: String
    artifactID: ID!
  }

  type CommitArtifactPayload {
    artifact: Artifact!
  }

  input UseArtifactInput {
    clientMutationId: String
    entityName: String!
    projectName: String!
    runName: String!
    artifactID: ID!
    usedAs: String
    artifactEntityName: String
    artifactProjectName: String
  }

  type UseArtifactPayload {
    artifact: Artifact!
  }

  # \`artifact.save()\` of a committed version: its tags (description and metadata stay as they were).
  input UpdateArtifactInput {
    clientMutationId: String
    artifactID: ID!
    description: String
    metadata: JSONString
    labels: JSONString
    aliases: [ArtifactAliasInput!]
    tagsToAdd: [TagInput!]
    tagsToDelete: [TagInput!]
    ttlDurationSeconds: Int64
  }

  type UpdateArtifactPayload {
    artifact: Artifact!
  }

  input ArtifactCollectionAliasInput {
    entityName: String!
    projectName: String!
    artifactCollectionName: String!
    alias: String!
  }

  input AddAliasesInput {
    clientMutationId: String
    artifactID: ID!
    aliases: [ArtifactCollectionAliasInput!]!
  }

  input DeleteAliasesInput {
    clientMutationId: String
    artifactID: ID!
    aliases: [ArtifactCollectionAliasInput!]!
  }

  type AliasesPayload {
    success: Boolean!
  }

  input DeleteArtifactInput {
    clientMutationId: String
    artifactID: ID!
    deleteAliases: Boolean
  }

  # artifact.link / run.link_artifact: a version linked into a portfolio (a registry's or a project's).
  input LinkArtifactInput {
    clientMutationId: String
    artifactID: ID
    clientID: ID
    artifactPortfolioID: ID
    artifactPortfolioName: String
    entityName: String
    projectName: String
    aliases: [ArtifactAliasInput!]
  }

  type LinkArtifactPayload {
    versionIndex: Int
    artifactMembership: ArtifactCollectionMembership
  }

  type DeleteArtifactPayload {
    artifact: Artifact!
  }
`;

export const wandbSchema = buildSchema(WANDB_SDL);
