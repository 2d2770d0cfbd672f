/** The service desks Frontline pulls from: a connector's `system` (config, store, connector modules). */
export const sourceSystems = ['zendesk', 'servicenow', 'jira'] as const;
export type SourceSystem = (typeof sourceSystems)[number];
