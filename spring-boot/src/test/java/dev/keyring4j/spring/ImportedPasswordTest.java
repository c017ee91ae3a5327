package dev.keyring4j.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringException;
import dev.keyring4j.KeyringListener;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.context.properties.ConfigurationPropertiesReportEndpoint;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.env.EnvironmentEndpoint;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * One real application whose {@code spring.datasource.password} exists only in the kernel keyring
 * ({@code keyring4j:myapp}), plus a second import ({@code keyring4j:shared}), connecting to a real
 * password-protected H2 server; the actuator's env and configprops endpoints run with
 * {@code show-values=ALWAYS}. Values are checked for laziness first, before anything reads them all.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImportedPasswordTest {
    private static final String DB_PASSWORD = "db-" + UUID.randomUUID();
    private static final String TOKEN = "token-" + UUID.randomUUID();
    private static final String LAZY = "lazy-" + UUID.randomUUID();
    private static final String VANISHING = "vanishing-" + UUID.randomUUID();
    private static final List<String> SECRETS = List.of(DB_PASSWORD, TOKEN, LAZY, VANISHING);
    private static final AtomicInteger GETS = new AtomicInteger();
    private static final KeyringListener COUNT_GETS = op -> {
        if (op.operation().equals("get")) GETS.incrementAndGet();
    };

    @TempDir
    static Path dir;
    static TestKeyring keyring;
    static TestDatabase database;
    static ConfigurableApplicationContext app;
    static CapturedOutput output;

    @BeforeAll
    static void start() throws Exception {
        keyring = new TestKeyring(dir);
        keyring.set("myapp", "spring.datasource.password", DB_PASSWORD);   // keyring4j set myapp spring.datasource.password
        keyring.set("myapp", "app.lazy", LAZY);
        keyring.set("myapp", "app.vanishing", VANISHING);
        keyring.set("shared", "app.api.token", TOKEN);
        keyring.set("myapp", "app.region", "from-myapp");
        keyring.set("shared", "app.region", "from-shared");
        database = TestDatabase.start(dir, DB_PASSWORD);
        Keyring.addListener(COUNT_GETS);
        String[] db = database.dataSourceArgs();
        output = CapturedOutput.start();   // until the last test: startup, the pool's first connection, the endpoints
        app = TestApplication.run(
                "--spring.config.import=" + keyring.location("myapp") + "," + keyring.location("shared"),
                db[0], db[1],
                "--app.authorization=Bearer ${app.api.token}",   // a value elsewhere that embeds a secret
                TestApplication.EXPOSE,
                "--management.endpoint.env.show-values=ALWAYS",
                "--management.endpoint.configprops.show-values=ALWAYS",
                "--logging.level.org.springframework.boot.context.config=TRACE",
                "--logging.level.org.springframework.core.env=TRACE",
                "--logging.level.org.springframework.boot.context.properties=TRACE",
                "--logging.level.com.zaxxer.hikari=DEBUG",
                "--logging.level.dev.keyring4j=TRACE");
    }

    @AfterAll
    static void stop() throws Exception {
        Keyring.removeListener(COUNT_GETS);
        if (output != null) output.close();
        if (app != null) app.close();
        if (database != null) database.close();
        if (keyring != null) keyring.remove();
    }

    @Test
    @Order(1)
    void aValueIsReadFromTheStoreWhenFirstAskedForAndThenKept() {
        int before = GETS.get();
        assertEquals(LAZY, app.getEnvironment().getProperty("app.lazy"));
        assertEquals(before + 1, GETS.get(), "app.lazy was not read before it was asked for, and is read now");
        assertEquals(LAZY, app.getEnvironment().getProperty("app.lazy"));
        assertEquals(before + 1, GETS.get(), "a value once read is kept");
    }

    @Test
    @Order(2)
    void aListedCredentialThatIsGoneFailsTheLookupInsteadOfLookingAbsent() {
        keyring.delete("myapp", "app.vanishing");
        try {
            KeyringException e = assertThrows(KeyringException.class, () -> app.getEnvironment().getProperty("app.vanishing"));
            assertTrue(e.getMessage().contains("account 'app.vanishing' was listed when keyring4j:myapp"), e.getMessage());
            assertTrue(e.getMessage().contains("keyring4j set myapp app.vanishing"), e.getMessage());
            assertFalse(e.getMessage().contains(VANISHING));
        } finally {
            keyring.set("myapp", "app.vanishing", VANISHING);   // the actuator test reads every property
        }
    }

    @Test
    void theDataSourceConnectsWithThePasswordFromTheStoreAlone() throws Exception {
        List<String> holders = StreamSupport.stream(app.getEnvironment().getPropertySources().spliterator(), false)
                .filter(s -> !ConfigurationPropertySources.isAttachedConfigurationPropertySource(s))   // Boot's view of all the others
                .filter(s -> s.containsProperty("spring.datasource.password")).map(PropertySource::getName).toList();
        assertEquals(List.of(keyring.location("myapp")), holders, "no other property source has the password");
        try (Connection c = app.getBean(DataSource.class).getConnection(); ResultSet rs = c.createStatement().executeQuery("SELECT text FROM greeting")) {
            assertTrue(rs.next());
            assertEquals("hello", rs.getString(1));
        }
    }

    @Test
    void everyListedImportContributesItsAccounts() {
        ConfigurableEnvironment env = app.getEnvironment();
        assertEquals(TOKEN, env.getProperty("app.api.token"));
        assertEquals("Bearer " + TOKEN, env.getProperty("app.authorization"));
        assertEquals("from-shared", env.getProperty("app.region"), "the later import wins, as Boot orders imports");
        assertInstanceOf(KeyringPropertySource.class, env.getPropertySources().get(keyring.location("shared")));
    }

    @Test
    void theEnvEndpointMasksEveryValueFromTheStoreAndEveryValueThatEmbedsOne() {
        EnvironmentEndpoint endpoint = app.getBean(EnvironmentEndpoint.class);
        String all = json(endpoint.environment(null));
        assertTrue(all.contains(keyring.location("myapp")) && all.contains("spring.datasource.password"), "the property is listed");
        assertTrue(all.contains(TestDatabase.USER) && all.contains(database.url()), "other values are shown (show-values=ALWAYS)");
        SECRETS.forEach(s -> assertFalse(all.contains(s), "a secret in /actuator/env"));
        assertEquals(SanitizableData.SANITIZED_VALUE, endpoint.environmentEntry("spring.datasource.password").getProperty().getValue());
        assertEquals(SanitizableData.SANITIZED_VALUE, endpoint.environmentEntry("app.authorization").getProperty().getValue());
    }

    @Test
    void theConfigpropsEndpointMasksThePasswordWhereverItWasBound() {
        String all = json(app.getBean(ConfigurationPropertiesReportEndpoint.class).configurationProperties());
        assertTrue(all.contains("spring.datasource") && all.contains(database.url()), "the data source properties are listed");
        assertTrue(all.contains("\"password\":\"******\""), "the password is listed, masked");
        SECRETS.forEach(s -> assertFalse(all.contains(s), "a secret in /actuator/configprops"));
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void nothingLoggedShowsASecret() {
        String log = output.text();
        assertTrue(log.contains("Adding imported property source '" + keyring.location("myapp") + "'"), "the config data trace log was captured");
        assertTrue(log.matches("(?s).*password\\.+<masked>.*"), "so was Hikari's configuration at its first connection");
        SECRETS.forEach(s -> assertFalse(log.contains(s), "a secret in the log"));
    }

    private static String json(Object endpointAnswer) {
        return JsonMapper.builder().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS).build().writeValueAsString(endpointAnswer);
    }
}
