/**
 * The newest migration in `migrations.ts`, kept here so that opening an up-to-date database
 * needs neither the migrations nor kysely (a test keeps the two in step).
 */
export const LATEST_MIGRATION = '0009_runnable_notify_from_appends';
