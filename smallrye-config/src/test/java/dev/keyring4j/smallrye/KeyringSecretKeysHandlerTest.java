package dev.keyring4j.smallrye;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.ConfigurationException;
import dev.keyring4j.CredentialId;
import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import dev.keyring4j.testkit.Gens;
import dev.keyring4j.testkit.PropertyCheck;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SmallRye Config built as an application builds it, with the handler found by discovery (nothing
 * registered by hand), resolving {@code ${keyring4j::…}} from a real kernel keyring whose namespace
 * the same configuration selects ({@code keyring4j.backend}, {@code keyring4j.kernel.namespace}).
 */
class KeyringSecretKeysHandlerTest {
    static final String NAMESPACE = "keyring4j-test-smallrye-config";
    static KernelNamespace kernel;

    @BeforeAll
    static void store() {
        kernel = new KernelNamespace(NAMESPACE);
        kernel.store.set("myapp", "db-password", Secret.of("s3cr3t-db"));
        kernel.store.set("kafka", "alice", Secret.of("k4fka-pw"));
        // a service holding '/' and ':' (as git's and URLs do), an account holding '/' and '%'
        kernel.store.set("git:https://git.example.com/org", "ci/bot%1", Secret.of("ghp_token"));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        kernel.close();
    }

    /** A configuration over {@code props} plus the store selection, handlers discovered through ServiceLoader. */
    static SmallRyeConfig config(Map<String, String> props) {
        Map<String, String> all = new HashMap<>(props);
        all.put("keyring4j.backend", "kernel");
        all.put("keyring4j.kernel.namespace", NAMESPACE);
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors() // expressions and profiles, as every application's configuration has them
                .addDiscoveredSecretKeysHandlers()
                .withSources(new PropertiesConfigSource(all, "test-application.properties", 250))
                .build();
    }

    @Test
    void aPropertyIsTheStoredSecret() {
        SmallRyeConfig config = config(Map.of("db.password", "${keyring4j::myapp/db-password}"));
        assertEquals("s3cr3t-db", config.getValue("db.password", String.class));
    }

    @Test
    void theApplicationsOwnConfigResolvesIt() {
        // MicroProfile's ConfigProvider.getConfig(), with nothing set up: META-INF/microprofile-config.properties
        // in src/test/resources holds the store selection and db.password=${keyring4j::myapp/db-password}
        assertEquals("s3cr3t-db", org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("db.password", String.class));
    }

    @Test
    void anExpressionInsideALongerValue() {
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"${keyring4j::kafka/alice}\";";
        SmallRyeConfig config = config(Map.of("kafka.sasl.jaas.config", jaas));
        assertEquals("org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"k4fka-pw\";",
                config.getValue("kafka.sasl.jaas.config", String.class));
    }

    @Test
    void escapes() {
        // the last '/' splits, so the service keeps its '/' and ':' as they are; %2F is a '/' in the account, %25 a '%'
        String text = "${keyring4j::git:https://git.example.com/org/ci%2Fbot%251}";
        assertEquals(text, CredentialName.of("git:https://git.example.com/org", "ci/bot%1").expression());
        SmallRyeConfig config = config(Map.of("git.token", text));
        assertEquals("ghp_token", config.getValue("git.token", String.class));
        // '}' ends a SmallRye expression and '$' starts one: %7D and %24; '\\' (a properties escape) %5C
        kernel.store.set("x}$y\\z", "a/b", Secret.of("braces"));
        try {
            String braces = CredentialName.of("x}$y\\z", "a/b").expression();
            assertEquals("${keyring4j::x%7D%24y%5Cz/a%2Fb}", braces);
            assertEquals("braces", config(Map.of("p", braces)).getValue("p", String.class));
        } finally {
            kernel.store.delete("x}$y\\z", "a/b");
        }
    }

    @Test
    void aNestedExpressionNamesTheCredential() {
        SmallRyeConfig config = config(Map.of("app.name", "myapp", "db.password", "${keyring4j::${app.name}/db-password}"));
        assertEquals("s3cr3t-db", config.getValue("db.password", String.class));
    }

    @Test
    void aMissingCredentialFailsNamingItNeverEmpty() {
        SmallRyeConfig config = config(Map.of("db.password", "${keyring4j::myapp/nobody}"));
        KeyringException e = assertThrows(KeyringException.class, () -> config.getValue("db.password", String.class));
        assertEquals("no credential for service 'myapp' and account 'nobody' in the kernel store, which ${keyring4j::myapp/nobody} names;"
                + " store it with: keyring4j set 'myapp' 'nobody' (see docs/troubleshooting.md#store-error)", e.getMessage());
        // an optional lookup does not turn the failure into "absent"
        assertThrows(KeyringException.class, () -> config.getOptionalValue("db.password", String.class));
        // no default value either: SmallRye hands everything after "keyring4j::" to the handler, ':' included
        SmallRyeConfig withDefault = config(Map.of("db.password", "${keyring4j::myapp/nobody:fallback}"));
        assertTrue(assertThrows(KeyringException.class, () -> withDefault.getValue("db.password", String.class)).getMessage()
                .startsWith("no credential for service 'myapp' and account 'nobody:fallback'"));
    }

    @Test
    void malformedNames() {
        SmallRyeConfig config = config(Map.of("a", "${keyring4j::myapp}", "b", "${keyring4j::myapp/}", "c", "${keyring4j::my%zzapp/x}"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> config.getValue("a", String.class)).getMessage()
                .contains("${keyring4j::myapp} names no account"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> config.getValue("b", String.class)).getMessage()
                .contains("'myapp/' names no account"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> config.getValue("c", String.class)).getMessage()
                .contains("write %25 for a literal %"));
    }

    @Test
    void aRotatedSecretIsSeenByTheNextLookup() {
        kernel.store.set("rotating", "app", Secret.of("first"));
        SmallRyeConfig config = config(Map.of("p", "${keyring4j::rotating/app}"));
        assertEquals("first", config.getValue("p", String.class));
        kernel.store.set("rotating", "app", Secret.of("second"));
        assertEquals("second", config.getValue("p", String.class));
        kernel.store.delete("rotating", "app");
        assertThrows(KeyringException.class, () -> config.getValue("p", String.class));
    }

    @Test
    void theStoreComesFromTheSameConfiguration() {
        // another namespace, selected by a profile property: the credential of NAMESPACE is not there
        Map<String, String> props = Map.of("p", "${keyring4j::myapp/db-password}", "%other.keyring4j.kernel.namespace", NAMESPACE + "-empty",
                "smallrye.config.profile", "other");
        SmallRyeConfig config = config(props);
        KeyringException e = assertThrows(KeyringException.class, () -> config.getValue("p", String.class));
        assertTrue(e.getMessage().startsWith("no credential for service 'myapp'"), e.getMessage());
        // a keyring4j setting that does not exist is keyring4j's configuration error, naming the key
        SmallRyeConfig bad = config(Map.of("p", "${keyring4j::myapp/db-password}", "keyring4j.kernel.nmespace", "x"));
        ConfigurationException ce = assertThrows(ConfigurationException.class, () -> bad.getValue("p", String.class));
        assertTrue(ce.getMessage().contains("kernel.nmespace"), ce.getMessage());
    }

    @Test
    void aConfigurationWithoutExpressionsOpensNoStore() {
        // an unknown backend would fail at once if the store were opened
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultInterceptors().addDiscoveredSecretKeysHandlers()
                .withSources(new PropertiesConfigSource(Map.of("keyring4j.backend", "no-such-backend", "plain", "value"), "t", 250)).build();
        assertEquals("value", config.getValue("plain", String.class));
        assertThrows(ConfigurationException.class, () -> new SmallRyeConfigBuilder().addDefaultInterceptors().addDiscoveredSecretKeysHandlers()
                .withSources(new PropertiesConfigSource(Map.of("keyring4j.backend", "no-such-backend", "p", "${keyring4j::a/b}"), "t", 250))
                .build().getValue("p", String.class));
        assertThrows(NoSuchElementException.class, () -> config.getValue("absent", String.class));
    }

    @Test
    void everyNameRoundTripsThroughTheExpression() {
        // Unicode (astral, combining, RTL) and the separators ':' '/' '_' '@' '%' ' ' in services and accounts
        PropertyCheck.forAll("expression round trip", 60, Gens.ids(), (CredentialId id) -> {
            CredentialName name = CredentialName.of(id.service(), id.account());
            assertEquals(name, CredentialName.parse(name.encoded()));
            kernel.store.set(id.service(), id.account(), Secret.of("v:" + id.account()));
            try {
                assertEquals("v:" + id.account(), config(Map.of("p", "x${keyring4j::" + name.encoded() + "}y")).getValue("p", String.class).substring(1)
                        .replaceFirst("y$", ""));
            } finally {
                kernel.store.delete(id.service(), id.account());
            }
        });
    }

    @Test
    void theHandlerIsDiscovered() {
        var factories = java.util.ServiceLoader.load(io.smallrye.config.SecretKeysHandlerFactory.class).stream()
                .map(p -> p.get().getName()).toList();
        assertEquals(java.util.List.of("keyring4j"), factories.stream().filter("keyring4j"::equals).toList());
        assertFalse(new KeyringSecretKeysHandlerFactory().getName().isEmpty());
        assertInstanceOf(KeyringSecretKeysHandler.class, new KeyringSecretKeysHandlerFactory().getSecretKeysHandler(null));
    }
}
