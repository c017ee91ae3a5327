/**
 * keyring4j for HikariCP: {@link dev.keyring4j.hikari.KeyringCredentialsProvider} reads the database
 * password from a keyring4j store every time the pool opens a connection.
 */
module dev.keyring4j.hikari {
    requires transitive dev.keyring4j;
    requires transitive com.zaxxer.hikari;
    exports dev.keyring4j.hikari;
}
