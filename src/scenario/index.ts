/**
 * src/scenario owns the scenario file: its JSON Schema (schemas/scenario.schema.json), the loader
 * with file:line errors, budgets read with units, and sweep expansion. It runs nothing.
 */
export * from './types.ts';
export { parseScenario, scenarioSchema, ScenarioIssues, issuesOf, modelKindOf } from './load.ts';
export { expandSweep } from './expand.ts';
