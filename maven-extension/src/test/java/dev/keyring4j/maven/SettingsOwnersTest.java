package dev.keyring4j.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a Maven 4 failure finds the server id: the settings files of the run, and the servers in them that carry the form. */
class SettingsOwnersTest {
    @TempDir
    Path dir;

    @Test
    void findsEveryServerPassphraseAndProxyThatCarriesTheForm() throws Exception {
        Path settings = write("settings.xml", """
                <settings xmlns="http://maven.apache.org/SETTINGS/1.2.0">
                  <servers>
                    <server><id>private-repo</id><password> {[name=keyring4j,version=4.0]maven/private-repo} </password></server>
                    <server><id>other</id><password>{[name=keyring4j,version=4.0]maven/other}</password></server>
                    <server><id>mirror</id><password>{[version=4.0, name = keyring4j]maven/private-repo}</password></server>
                    <server><id>legacy</id><password>{[type=keyring4j]maven/private-repo}</password></server>
                    <server><id>key</id><passphrase>{[name=keyring4j,version=4.0]maven/private-repo}</passphrase></server>
                  </servers>
                  <proxies><proxy><id>corp</id><password>{[name=keyring4j,version=4.0]maven/private-repo}</password></proxy></proxies>
                </settings>""");
        assertEquals(List.of("the password of server 'private-repo'", "the password of server 'mirror'", "the passphrase of server 'key'",
                "the password of proxy 'corp'"), SettingsOwners.in(settings, "maven/private-repo"));
        assertEquals(List.of("the password of server 'other'"), SettingsOwners.in(settings, "maven/other"));
        assertEquals(List.of(), SettingsOwners.in(settings, "maven/absent"));
    }

    @Test
    void refusesADoctypeInsteadOfExpandingIt() throws Exception {
        Path settings = write("settings.xml", "<!DOCTYPE settings [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><settings>&x;</settings>");
        assertThrows(Exception.class, () -> SettingsOwners.in(settings, "maven/private-repo"));
    }

    @Test
    void theThreeLevelsAsMaven4ResolvesThem() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home/.m2")).getParent();
        Path mavenHome = Files.createDirectories(dir.resolve("maven/conf")).getParent();
        Path root = Files.createDirectories(dir.resolve("project/.mvn")).getParent();
        Path user = write("home/.m2/settings.xml", "<settings/>");
        Path installation = write("maven/conf/settings.xml", "<settings/>");
        Path project = write("project/.mvn/settings.xml", "<settings/>");
        Path given = write("project/given.xml", "<settings/>");
        Map<String, String> props = Map.of("user.home", home.toString(), "maven.home", mavenHome.toString(),
                "maven.multiModuleProjectDirectory", root.toString(), "user.dir", root.toString());

        assertEquals(List.of(installation, project, user), SettingsOwners.files(List.of("-B", "validate"), props), "the defaults");
        assertEquals(List.of(installation, project, given), SettingsOwners.files(List.of("-s", "given.xml", "validate"), props),
                "-s replaces the user level, relative to the working directory");
        assertEquals(List.of(installation, project, given), SettingsOwners.files(List.of("--settings=" + given), props));
        assertEquals(List.of(given, project, user), SettingsOwners.files(List.of("-gs", given.toString()), props), "-gs is the installation level");
        assertEquals(List.of(installation, given, user), SettingsOwners.files(List.of("-Dmaven.project.settings=" + given), props));
        assertEquals(List.of(installation, project, given), SettingsOwners.files(List.of("-s", "given.xml", "-s", "other.xml"), props),
                "the first -s wins, as commons-cli reads it");
        assertEquals(List.of(given, project, user), SettingsOwners.files(List.of("-gs", "other.xml", "-is", given.toString()), props),
                "-is before -gs");
        assertEquals(List.of(installation, user), SettingsOwners.files(List.of("-ps", "missing.xml"), props),
                "a named file that does not exist is not replaced by the default (Maven itself stops on it)");
    }

    @Test
    void theCommandLineComesBeforeMavenConfigWhoseCommentsDoNotCount() throws Exception {
        Path root = Files.createDirectories(dir.resolve("project/.mvn")).getParent();
        write("project/.mvn/maven.config", "# -s commented.xml\n\n-s from-config.xml\n--settings=later.xml\n");
        String[] jvm = {"/usr/bin/java", "-Dmaven.home=/opt/maven", "org.codehaus.plexus.classworlds.launcher.Launcher", "-B", "-s", "cli.xml", "validate"};
        List<String> args = SettingsOwners.arguments(jvm, root);
        assertEquals(List.of("-B", "-s", "cli.xml", "validate", "-s", "from-config.xml", "--settings=later.xml"), args);
        Map<String, String> props = Map.of("user.home", dir.toString(), "user.dir", root.toString());
        write("project/cli.xml", "<settings/>");
        write("project/from-config.xml", "<settings/>");
        assertEquals(List.of(root.resolve("cli.xml")), SettingsOwners.files(args, props), "the command line's -s wins");
        assertEquals(List.of(root.resolve("from-config.xml")),
                SettingsOwners.files(SettingsOwners.arguments(new String[] {"org.codehaus.plexus.classworlds.launcher.Launcher", "validate"}, root), props),
                "maven.config's first -s when the command line has none");
    }

    private Path write(String name, String content) throws Exception {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, content);
    }
}
