package dev.keyring4j.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.ReadOnlyStoreException;
import dev.keyring4j.Secret;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real operations on real backends (the kernel keyring, in this JVM's process keyring; the env
 * backend, read-only) recorded by one {@link KeyringMetrics} bound to a {@link SimpleMeterRegistry}
 * and to a {@link PrometheusMeterRegistry}: the counts per tag set are exactly what was done, no
 * name or secret appears anywhere, and after {@code close()} nothing more is counted.
 */
class KeyringMetricsTest {
    static final String RUN = UUID.randomUUID().toString();
    static final String NAMESPACE = "keyring4j-metrics-test-" + RUN;
    static final String SERVICE = "metrics-service-" + RUN;
    static final String ABSENT_SERVICE = "metrics-absent-service-" + RUN;
    static final String ALICE = "alice-" + RUN;
    static final String BOB = "bob-" + RUN;
    static final String CAROL = "carol-" + RUN;
    static final String NOBODY = "nobody-" + RUN;
    static final List<String> SECRETS = List.of("secret-a-" + RUN, "secret-b-" + RUN, "secret-c-" + RUN);

    @TempDir
    static Path tmp;
    static CredentialStore kernel;
    static CredentialStore env;

    @BeforeAll
    static void open() {
        kernel = Keyring.open(isolated().backend("kernel").set("kernel.keyring", "process").set("kernel.namespace", NAMESPACE).build());
        env = Keyring.open(isolated().backend("env").build());
    }

    @AfterAll
    static void close() {
        if (kernel != null) kernel.close();
        if (env != null) env.close();
    }

    /** keyring4j configuration that reads nothing of this machine's own (no files, no environment, no system properties). */
    static KeyringConfig.Builder isolated() {
        return KeyringConfig.builder().environment(Map.of()).systemProperties(Map.of())
                .userFile(tmp.resolve("absent-user.properties")).systemFile(tmp.resolve("absent-system.properties"));
    }

    /** {@code backend operation outcome error} of a timer's tags. */
    static String key(Map<String, String> tags) {
        return tags.get("backend") + " " + tags.get("operation") + " " + tags.get("outcome") + " " + tags.get("error");
    }

    /** Count per tag set of every keyring4j timer in a SimpleMeterRegistry. */
    static Map<String, Long> counts(SimpleMeterRegistry registry) {
        Map<String, Long> out = new TreeMap<>();
        for (Timer t : registry.find(KeyringMetrics.METER_NAME).timers()) {
            Map<String, String> tags = new TreeMap<>();
            t.getId().getTags().forEach(tag -> tags.put(tag.getKey(), tag.getValue()));
            assertEquals("orders", tags.remove("application"), "the common tag is on every timer");
            assertEquals(List.of("backend", "error", "operation", "outcome"), List.copyOf(tags.keySet()), "exactly the documented tags");
            out.merge(key(tags), t.count(), Long::sum);
            assertTrue(t.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) > 0, "durations are recorded: " + t.getId());
        }
        return out;
    }

    private static final Pattern PROM_COUNT = Pattern.compile("^keyring4j_operations_seconds_count\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);
    private static final Pattern PROM_LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /** Count per tag set, read back from the Prometheus text exposition. */
    static Map<String, Long> counts(String scrape) {
        Map<String, Long> out = new TreeMap<>();
        Matcher m = PROM_COUNT.matcher(scrape);
        while (m.find()) {
            Map<String, String> labels = new TreeMap<>();
            Matcher l = PROM_LABEL.matcher(m.group(1));
            while (l.find()) labels.put(l.group(1), l.group(2));
            assertEquals("orders", labels.remove("application"));
            assertEquals(List.of("backend", "error", "operation", "outcome"), List.copyOf(labels.keySet()), m.group());
            out.merge(key(labels), (long) Double.parseDouble(m.group(2)), Long::sum);
        }
        return out;
    }

    /** Every string a meter shows: names, tag keys and values, descriptions, base units. */
    static List<String> everythingShown(SimpleMeterRegistry registry) {
        List<String> shown = new java.util.ArrayList<>();
        for (Meter meter : registry.getMeters()) {
            Meter.Id id = meter.getId();
            shown.add(id.getName());
            shown.add(String.valueOf(id.getDescription()));
            shown.add(String.valueOf(id.getBaseUnit()));
            for (Tag t : id.getTags()) {
                shown.add(t.getKey());
                shown.add(t.getValue());
            }
        }
        return shown;
    }

    @Test
    void countsPerOperationAndOutcomeAreWhatWasDoneAndNothingNamesAServiceAccountOrSecret() {
        SimpleMeterRegistry simple = new SimpleMeterRegistry();
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        KeyringMetrics metrics = new KeyringMetrics(Tags.of("application", "orders"));
        metrics.bindTo(simple);
        metrics.bindTo(prometheus);
        metrics.bindTo(simple); // again: ignored, nothing counted twice

        // what the application does
        kernel.set(SERVICE, ALICE, Secret.of(SECRETS.get(0)));
        kernel.set(SERVICE, BOB, Secret.of(SECRETS.get(1)));
        kernel.set(SERVICE, CAROL, Secret.of(SECRETS.get(2)), Duration.ofMinutes(10));
        assertEquals(SECRETS.get(0), kernel.get(SERVICE, ALICE).orElseThrow().asString());
        assertEquals(SECRETS.get(1), kernel.get(SERVICE, BOB).orElseThrow().asString());
        assertEquals(SECRETS.get(2), kernel.get(SERVICE, CAROL).orElseThrow().asString());
        assertTrue(kernel.get(SERVICE, NOBODY).isEmpty());
        assertTrue(kernel.get(ABSENT_SERVICE, ALICE).isEmpty());
        assertTrue(kernel.find(SERVICE).isPresent());
        assertTrue(kernel.find(ABSENT_SERVICE).isEmpty());
        assertEquals(3, kernel.list(SERVICE).size());
        assertTrue(kernel.delete(SERVICE, ALICE));
        assertFalse(kernel.delete(SERVICE, ALICE));
        assertThrows(IllegalArgumentException.class, () -> kernel.get("", ALICE));
        assertThrows(ReadOnlyStoreException.class, () -> env.set(SERVICE, ALICE, Secret.of(SECRETS.get(0))));
        assertTrue(env.get(SERVICE, ALICE).isEmpty());

        Map<String, Long> expected = new TreeMap<>(Map.ofEntries(
                Map.entry("kernel set SUCCESS none", 2L),
                Map.entry("kernel set-ttl SUCCESS none", 1L),
                Map.entry("kernel get SUCCESS none", 3L),
                Map.entry("kernel get NOT_FOUND none", 2L),
                Map.entry("kernel find SUCCESS none", 1L),
                Map.entry("kernel find NOT_FOUND none", 1L),
                Map.entry("kernel list SUCCESS none", 1L),
                Map.entry("kernel delete SUCCESS none", 1L),
                Map.entry("kernel delete NOT_FOUND none", 1L),
                Map.entry("kernel get ERROR IllegalArgumentException", 1L),
                Map.entry("env set ERROR ReadOnlyStoreException", 1L),
                Map.entry("env get NOT_FOUND none", 1L)));
        assertEquals(expected, counts(simple), "SimpleMeterRegistry");
        String scrape = prometheus.scrape();
        assertEquals(expected, counts(scrape), "Prometheus text:\n" + scrape);
        assertTrue(scrape.contains("# HELP keyring4j_operations_seconds keyring4j credential store operations"), scrape);

        List<String> forbidden = new java.util.ArrayList<>(List.of(SERVICE, ABSENT_SERVICE, ALICE, BOB, CAROL, NOBODY, NAMESPACE, RUN));
        forbidden.addAll(SECRETS);
        for (String shown : everythingShown(simple)) {
            for (String f : forbidden) assertFalse(shown.contains(f), "a meter shows '" + f + "': " + shown);
        }
        for (String f : forbidden) assertFalse(scrape.contains(f), "the Prometheus text shows '" + f + "'");

        // unbinding: the listener goes, the meters stay with their last values, nothing more is counted
        metrics.close();
        assertTrue(kernel.delete(SERVICE, BOB));
        assertTrue(kernel.delete(SERVICE, CAROL));
        assertTrue(kernel.get(SERVICE, BOB).isEmpty());
        assertThrows(ReadOnlyStoreException.class, () -> env.delete(SERVICE, ALICE));
        assertEquals(expected, counts(simple), "nothing counted after close");
        assertEquals(expected, counts(prometheus.scrape()), "nothing counted after close (Prometheus)");
        assertThrows(IllegalStateException.class, () -> metrics.bindTo(new SimpleMeterRegistry()));
        metrics.close(); // idempotent
    }

    @Test
    void oneRegistryBoundLaterSeesOnlyWhatHappenedAfterItsBinding() {
        try (KeyringMetrics metrics = new KeyringMetrics(Tags.of("application", "orders"))) {
            SimpleMeterRegistry first = new SimpleMeterRegistry();
            SimpleMeterRegistry second = new SimpleMeterRegistry();
            metrics.bindTo(first);
            assertTrue(kernel.get(SERVICE, NOBODY).isEmpty());
            metrics.bindTo(second);
            assertTrue(kernel.get(SERVICE, NOBODY).isEmpty());
            assertEquals(Map.of("kernel get NOT_FOUND none", 2L), counts(first));
            assertEquals(Map.of("kernel get NOT_FOUND none", 1L), counts(second));
        }
    }

    /** The example of docs/integrations/micrometer.md, on this class's kernel store: the _count lines it shows. */
    @Test
    void theDocumentedExample() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        KeyringMetrics metrics = new KeyringMetrics(Tags.of("application", "orders"));
        metrics.bindTo(registry);
        kernel.set("orders-db", "app", Secret.of("s3cr3t"));
        kernel.get("orders-db", "app");
        kernel.get("orders-db", "nobody");
        kernel.delete("orders-db", "app");
        String scrape = registry.scrape();
        metrics.close();
        List<String> countLines = scrape.lines().filter(l -> l.startsWith("keyring4j_operations_seconds_count")).toList();
        assertEquals(List.of(
                "keyring4j_operations_seconds_count{application=\"orders\",backend=\"kernel\",error=\"none\",operation=\"delete\",outcome=\"SUCCESS\"} 1",
                "keyring4j_operations_seconds_count{application=\"orders\",backend=\"kernel\",error=\"none\",operation=\"get\",outcome=\"NOT_FOUND\"} 1",
                "keyring4j_operations_seconds_count{application=\"orders\",backend=\"kernel\",error=\"none\",operation=\"get\",outcome=\"SUCCESS\"} 1",
                "keyring4j_operations_seconds_count{application=\"orders\",backend=\"kernel\",error=\"none\",operation=\"set\",outcome=\"SUCCESS\"} 1"),
                countLines, scrape);
        assertFalse(scrape.contains("orders-db") || scrape.contains("app\"") || scrape.contains("nobody") || scrape.contains("s3cr3t"), scrape);
    }
}
