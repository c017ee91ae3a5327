package dev.keyring4j.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.ConfigurationException;
import dev.keyring4j.Secret;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.Candidate;
import dev.keyring4j.testkit.EtcdFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etcd over TLS with client certificates (a private CA made with openssl): etcd.tls.ca, etcd.tls.cert, etcd.tls.key. */
class TlsTest {
    private static EtcdFixture etcd;

    @TempDir
    Path home;

    @BeforeAll
    static void start() {
        etcd = EtcdFixture.singleWithTls();
    }

    @AfterAll
    static void stop() {
        if (etcd != null) etcd.close();
    }

    @Test
    void worksWithTheCaAndAClientCertificate() {
        assertTrue(etcd.endpoints().startsWith("https://"), etcd.endpoints());
        try (EtcdStore s = Stores.open(etcd, home, Stores.freshPrefix(), "tls.ca", etcd.tlsFile("ca.pem").toString(),
                "tls.cert", etcd.tlsFile("client.pem").toString(), "tls.key", etcd.tlsFile("client.key").toString())) {
            s.set("tls", "acct", Secret.of("over-tls"));
            assertEquals("over-tls", s.get("tls", "acct").orElseThrow().asString());
        }
    }

    @Test
    void withoutTheClientCertificateItIsRefusedNotAbsent() {
        Candidate c = new EtcdProvider().probe(Stores.config(etcd, home, Stores.freshPrefix(), "tls.ca", etcd.tlsFile("ca.pem").toString(),
                "timeout", "PT2S"));
        assertFalse(c.availability().isAvailable(), c.availability().reason());
        assertEquals(Availability.State.INDETERMINATE, c.availability().state());
        assertTrue(c.availability().reason().contains(etcd.clientUrl(0)), c.availability().reason());
    }

    @Test
    void tlsSettingsNeedHttpsEndpointsAndGoInPairs() {
        String http = etcd.endpoints().replace("https://", "http://");
        assertThrows(ConfigurationException.class, () -> new EtcdProvider().probe(Stores.config(etcd, home, "/p/", "endpoints", http,
                "tls.ca", etcd.tlsFile("ca.pem").toString())));
        assertThrows(ConfigurationException.class, () -> new EtcdProvider().probe(Stores.config(etcd, home, "/p/",
                "tls.cert", etcd.tlsFile("client.pem").toString())));
    }
}
