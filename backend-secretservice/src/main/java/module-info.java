/**
 * The keyring4j Secret Service backend ({@code secret-service}): freedesktop Secret Service over
 * the D-Bus session bus with dbus-java's native unix-socket transport.
 */
module dev.keyring4j.secretservice {
    requires dev.keyring4j.support;
    requires dev.keyring4j;
    requires org.freedesktop.dbus;
    // the native unix-socket transport; found by dbus-java's ServiceLoader, required so it is always resolved
    requires org.freedesktop.dbus.transport.jre;

    exports dev.keyring4j.secretservice;

    provides dev.keyring4j.spi.CredentialStoreProvider with dev.keyring4j.secretservice.SecretServiceProvider;
}
