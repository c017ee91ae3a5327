/**
 * keyring4j as a Maven core extension: settings.xml server passwords read from a keyring4j store.
 * Maven 3.9 ({@code plexus-sec-dispatcher} 2.0): {@link dev.keyring4j.maven.Keyring4jPasswordDecryptor},
 * form {@code {[type=keyring4j]SERVICE/ACCOUNT}}. Maven 4 ({@code plexus-sec-dispatcher} 4.x):
 * {@link dev.keyring4j.maven.Keyring4jDispatcher}, form {@code {[name=keyring4j,version=4.0]SERVICE/ACCOUNT}}.
 * See docs/integrations/maven.md.
 */
package dev.keyring4j.maven;
