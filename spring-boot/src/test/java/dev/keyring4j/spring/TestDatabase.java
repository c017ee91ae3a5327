package dev.keyring4j.spring;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.h2.tools.Server;

/**
 * A real H2 database with a password, served by an H2 TCP server on a free port. Remote clients
 * cannot create databases (no {@code -ifNotExists}), so only the right user and password get in.
 */
final class TestDatabase implements AutoCloseable {
    static final String USER = "app";
    private final Server server;

    private TestDatabase(Server server) {
        this.server = server;
    }

    /** Creates database {@code app} under {@code dir} (user {@link #USER}, this password, one row in {@code greeting}) and serves it. */
    static TestDatabase start(Path dir, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:h2:" + dir.toAbsolutePath().resolve("app"), USER, password);
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE greeting(text VARCHAR(20))");
            s.execute("INSERT INTO greeting VALUES ('hello')");
        }
        return new TestDatabase(Server.createTcpServer("-tcpPort", "0", "-baseDir", dir.toAbsolutePath().toString()).start());
    }

    String url() {
        return "jdbc:h2:tcp://localhost:" + server.getPort() + "/app";
    }

    /** The data-source arguments of the test application: URL and user, never the password. */
    String[] dataSourceArgs() {
        return new String[] {"--spring.datasource.url=" + url(), "--spring.datasource.username=" + USER};
    }

    @Override
    public void close() {
        server.stop();
    }
}
