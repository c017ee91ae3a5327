package dev.keyring4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * NOTICE names every third-party library the command jar bundles, as the jar's own SBOM lists them
 * (target/bom.json, written by the CycloneDX plugin at package time, online builds only), and the jar
 * carries keyring4j's LICENSE and NOTICE and every bundled licence text (none dropped by a clash of
 * names when the jars are merged).
 */
class NoticeIT {
    private static final Path ROOT = Distributions.target().getParent().getParent();

    @Test
    void noticeNamesEveryBundledLibraryOfTheSbom() throws Exception {
        Path bom = Distributions.target().resolve("bom.json");
        assertTrue(Files.isRegularFile(bom), bom + " is missing: the CycloneDX plugin writes it in an online `mvn package`"
                + " (it skips itself under -o)");
        String notice = Files.readString(ROOT.resolve("NOTICE"));
        List<String> missing = new ArrayList<>();
        for (JsonNode c : new ObjectMapper().readTree(bom.toFile()).get("components")) {
            String group = c.path("group").asText();
            if (group.startsWith("dev.keyring4j")) continue;
            String name = c.get("name").asText();
            // "jackson-core 2.22.4" or "jetcd-api,": the artifact id as a word of its own
            if (!notice.matches("(?s).*(?<![A-Za-z0-9-])" + java.util.regex.Pattern.quote(name) + "(?![A-Za-z0-9-]).*")) {
                missing.add(group + ":" + name + ":" + c.get("version").asText());
            }
        }
        assertTrue(missing.isEmpty(), "NOTICE does not name these bundled libraries: " + missing);
    }

    @Test
    void theJarCarriesKeyring4jsTextsAndEveryBundledLicence() throws Exception {
        try (ZipFile jar = new ZipFile(Distributions.target().resolve("keyring4j.jar").toFile())) {
            for (String own : List.of("LICENSE", "NOTICE")) {
                ZipEntry e = jar.getEntry("META-INF/keyring4j/" + own);
                assertNotNull(e, "META-INF/keyring4j/" + own + " in the jar");
                assertArrayEquals(Files.readAllBytes(ROOT.resolve(own)), jar.getInputStream(e).readAllBytes(), own);
            }
            String license = new String(jar.getInputStream(jar.getEntry("META-INF/LICENSE")).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(license.contains("Apache License"), "Apache-2.0 text kept");
            assertTrue(license.contains("LGPL") || license.contains("Lesser General Public"), "JNA's dual-licence text kept, not dropped for Jackson's");
            String slf4j = new String(jar.getInputStream(jar.getEntry("META-INF/LICENSE.txt")).readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(slf4j.contains("QOS.ch"), "SLF4J's MIT text");
            assertFalse(slf4j.contains("COMMON DEVELOPMENT AND DISTRIBUTION LICENSE"), "no CDDL text: javax.annotation-api is not bundled");
            for (String kept : List.of("META-INF/LICENSE.md", "META-INF/NOTICE", "META-INF/FastDoubleParser-LICENSE", "META-INF/Schubfach-LICENSE")) {
                assertNotNull(jar.getEntry(kept), kept);
            }
            assertTrue(jar.stream().noneMatch(e -> e.getName().startsWith("javax/annotation/Generated")), "javax.annotation-api is excluded");
        }
    }
}
