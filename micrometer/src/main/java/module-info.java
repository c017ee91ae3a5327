/**
 * keyring4j for Micrometer: {@link dev.keyring4j.micrometer.KeyringMetrics} times every keyring4j
 * store operation in the timer {@code keyring4j.operations}.
 */
// micrometer-core is an automatic module (Automatic-Module-Name micrometer.core, no module-info); its
// types are in this module's API (MeterBinder, MeterRegistry, Tag), so readers get it transitively
@SuppressWarnings("requires-transitive-automatic")
module dev.keyring4j.micrometer {
    requires transitive dev.keyring4j;
    requires transitive micrometer.core;
    exports dev.keyring4j.micrometer;
}
