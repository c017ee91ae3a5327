package dev.keyring4j.quarkus.it;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.Secret;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.h2.tools.Server;

/**
 * Before Quarkus starts: a password-protected H2 database behind a real TCP server on 127.0.0.1, and
 * its password stored in a kernel keyring namespace of this test's own (the one
 * {@code keyring4j.kernel.namespace} in {@code application.properties} names). The password is random
 * and nowhere in the configuration: the application can only have it from keyring4j.
 */
public class H2WithStoredPassword implements QuarkusTestResourceLifecycleManager {
    /** The namespace application.properties selects. */
    static final String NAMESPACE = "keyring4j-test-quarkus";
    static final String DB_USER = "app";

    private Server server;
    private Connection keepAlive;

    /** The test's own handle on the store the application reads. */
    static CredentialStore store() {
        return Keyring.open(KeyringConfig.builder().backend("kernel").set("kernel.namespace", NAMESPACE).build());
    }

    static String randomPassword() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Override
    public Map<String, String> start() {
        String password = randomPassword();
        try (CredentialStore store = store()) {
            for (CredentialId id : store.list()) store.delete(id.service(), id.account()); // leftovers of a killed run
            store.set("keyring4j-db", DB_USER, Secret.of(password));
            store.set("keyring4j-app", "token", Secret.of("t0ken-from-the-keyring"));
        }
        try {
            // the database is created here, in the server's JVM, with its administrator's password; DB_CLOSE_DELAY keeps it
            keepAlive = DriverManager.getConnection("jdbc:h2:mem:keyring4j;DB_CLOSE_DELAY=-1", DB_USER, password);
            try (Statement st = keepAlive.createStatement()) {
                st.execute("CREATE TABLE greeting(id INT PRIMARY KEY, text VARCHAR(64))");
                st.execute("INSERT INTO greeting VALUES (1, 'hello from H2')");
            }
            server = Server.createTcpServer("-tcpPort", "0").start(); // local connections only (no -tcpAllowOthers)
        } catch (SQLException e) {
            throw new IllegalStateException("H2 did not start", e);
        }
        return Map.of("quarkus.datasource.jdbc.url", url(), "quarkus.datasource.explicit.jdbc.url", url(),
                "quarkus.datasource.missing.jdbc.url", url());
    }

    String url() {
        return "jdbc:h2:tcp://127.0.0.1:" + server.getPort() + "/mem:keyring4j";
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(url(), new TestInjector.AnnotatedAndMatchesType(H2Url.class, String.class));
    }

    @Override
    public void stop() {
        try {
            if (keepAlive != null) keepAlive.close();
        } catch (SQLException ignored) {
            // the server goes next; nothing else holds the database
        }
        if (server != null) server.stop();
        try (CredentialStore store = store()) {
            for (CredentialId id : store.list()) store.delete(id.service(), id.account());
        }
        unlinkNamespace();
    }

    /** The emptied namespace keyring goes too, where {@code keyctl} is installed (else one empty keyring stays until the user's keyring is gone). */
    private static void unlinkNamespace() {
        Path keyctl = Path.of("/usr/bin/keyctl");
        if (!Files.isExecutable(keyctl)) return;
        try {
            Process search = new ProcessBuilder(keyctl.toString(), "search", "@u", "keyring", NAMESPACE).redirectErrorStream(true).start();
            String id = new String(search.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!search.waitFor(30, TimeUnit.SECONDS) || search.exitValue() != 0) return; // not there
            Process unlink = new ProcessBuilder(keyctl.toString(), "unlink", id, "@u").redirectErrorStream(true).start();
            unlink.getInputStream().transferTo(OutputStream.nullOutputStream());
            if (!unlink.waitFor(30, TimeUnit.SECONDS) || unlink.exitValue() != 0) throw new IllegalStateException("keyctl unlink " + id + " @u failed");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Marks the test's field that receives the database URL. */
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target(java.lang.annotation.ElementType.FIELD)
    @interface H2Url {
    }
}
