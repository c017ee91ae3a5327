package dev.keyring4j.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.Secret;
import dev.keyring4j.testkit.Prerequisites;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The extension in the real Maven 3.9.16 and Maven 4 distributions (unpacked once per build by the
 * dependency plugin), run as processes against a Basic-auth repository on 127.0.0.1 whose password is
 * only in keyring4j (the kernel keyring, or a token command). The throwaway project's parent POM and
 * build extension come from that repository (resolved while Maven reads the project, so no plugin is
 * needed for a resolution); deploy uses the install and deploy plugins from the build's own local
 * repository, chained behind a private one under target/ ({@code maven.repo.local.tail}).
 */
class MavenExtensionIT {
    private static final String USER = "alice";
    private static final String GROUP_PATH = "com/example/k4j";

    private static Path work;
    private static Path maven3;
    private static Path maven3Ext;
    private static Path maven4;
    private static Path maven4Ext;
    private static Path extensionRepo;
    private static CredentialStore kernel;
    private static final List<String[]> stored = new ArrayList<>();

    private String service;
    private String password;
    private Path repoDir;

    @BeforeAll
    static void distributions() throws IOException {
        Path dists = Path.of(System.getProperty("k4jtest.maven.distributions"));
        work = Path.of(System.getProperty("k4jtest.maven.distributions")).resolveSibling("maven-it");
        deleteTree(work);
        Files.createDirectories(work);
        maven3 = dists.resolve("apache-maven-" + System.getProperty("k4jtest.maven3.version"));
        maven4 = dists.resolve("apache-maven-" + System.getProperty("k4jtest.maven4.version"));
        Path jar = Path.of(System.getProperty("k4jtest.maven.extension.jar"));
        // ${maven.home}/lib/ext: a copy of each distribution with the one jar in it
        maven3Ext = copyTree(maven3, work.resolve("maven3-lib-ext"));
        maven4Ext = copyTree(maven4, work.resolve("maven4-lib-ext"));
        Files.copy(jar, maven3Ext.resolve("lib/ext/keyring4j-maven-extension.jar"));
        Files.copy(jar, maven4Ext.resolve("lib/ext/keyring4j-maven-extension.jar"));
        // .mvn/extensions.xml: the jar and its published POM in a local repository chained behind the private one
        String version = System.getProperty("k4jtest.project.version");
        Path dir = work.resolve("extension-repo/dev/keyring4j/keyring4j-maven-extension/" + version);
        Files.createDirectories(dir);
        Files.copy(jar, dir.resolve("keyring4j-maven-extension-" + version + ".jar"));
        Files.copy(jar.resolveSibling("published-pom.xml"), dir.resolve("keyring4j-maven-extension-" + version + ".pom"));
        extensionRepo = work.resolve("extension-repo");
        try {
            kernel = Keyring.open("kernel");
        } catch (RuntimeException e) {
            Prerequisites.require(false, "the kernel keyring (keyctl syscalls): " + e.getMessage());
        }
    }

    @AfterAll
    static void cleanUp() {
        if (kernel == null) return;
        for (String[] id : stored) kernel.delete(id[0], id[1]);
        kernel.close();
    }

    @BeforeEach
    void names() throws IOException {
        service = "k4j-maven-it-" + UUID.randomUUID();
        password = "pw-" + UUID.randomUUID();
        repoDir = Files.createTempDirectory(work, "repo");
        seedRepository(repoDir);
    }

    // ---- Maven 3.9 ----

    @Test
    void maven3ResolvesAndDeploysWithThePasswordOnlyInKeyring4j() throws Exception {
        store("private-repo");
        try (RepositoryServer server = new RepositoryServer(repoDir, USER, password)) {
            Path project = project(server.url(), "{[type=keyring4j]" + service + "/private-repo}", null, false);
            Run run = mvn(maven3Ext, project, "kernel", "-X", "deploy");
            assertEquals(0, run.exit, run.tail());
            assertResolvedAndDeployed(server, run);
            assertFalse(run.output.contains(password), "mvn -X printed the secret");
        }
    }

    @Test
    void maven3WithoutTheExtensionCannotResolve() throws Exception {
        store("private-repo");
        try (RepositoryServer server = new RepositoryServer(repoDir, USER, password)) {
            Path project = project(server.url(), "{[type=keyring4j]" + service + "/private-repo}", null, false);
            Run run = mvn(maven3, project, "kernel", "validate");
            assertNotEquals(0, run.exit, run.tail());
            assertEquals(0, server.authorized("GET"), "resolved without the extension?");
            assertTrue(run.output.contains("401"), run.tail());
        }
    }

    @Test
    void maven3MissingCredentialFailsNamingTheServerBeforeAnyRequest() throws Exception {
        // nothing stored under the names
        try (RepositoryServer server = new RepositoryServer(repoDir, USER, password)) {
            Path project = project(server.url(), "{[type=keyring4j]" + service + "/private-repo}", null, false);
            Run run = mvn(maven3Ext, project, "kernel", "validate");
            assertNotEquals(0, run.exit);
            assertTrue(run.output.contains("keyring4j could not supply the password of server 'private-repo'"), run.tail());
            assertTrue(run.output.contains("no credential under service '" + service + "', account 'private-repo' in the kernel store"), run.tail());
            assertTrue(server.requests.isEmpty(), "a request reached the repository: " + server.requests);
        }
    }

    @Test
    void maven3UnavailableStoreFailsWithKeyring4jsReasonBeforeAnyRequest() throws Exception {
        // the Secret Service named, and no session bus to reach it: the store cannot be opened
        try (RepositoryServer server = new RepositoryServer(repoDir, USER, password)) {
            Path project = project(server.url(), "{[type=keyring4j]" + service + "/private-repo}", null, false);
            Path noBus = Files.createDirectories(project.resolve("runtime"));
            Run run = mvnWith(maven3Ext, project, Map.of("KEYRING4J_BACKEND", "secret-service", "XDG_RUNTIME_DIR", noBus.toString(),
                    "DBUS_SESSION_BUS_ADDRESS", ""), true, "validate");
            assertNotEquals(0, run.exit);
            assertTrue(run.output.contains("keyring4j could not supply the password of server 'private-repo'")
                    && run.output.contains("secret-service"), run.tail());
            assertTrue(server.requests.isEmpty(), "a request reached the repository: " + server.requests);
        }
    }

    @Test
    void maven3WithoutSettingsSecurityXmlSaysSo() throws Exception {
        store("private-repo");
        try (RepositoryServer server = new RepositoryServer(repoDir, USER, password)) {
            Path project = project(server.url(), "{[type=keyring4j]" + service + "/private-repo}", null, false);
            Run run = mvnWith(maven3Ext, project, Map.of("KEYRING4J_BACKEND", "kernel"), false, "validate");
            assertNotEquals(0, run.exit);
            assertTrue(run.output.contains("Maven never asked keyring4j for the password of server 'private-repo'")
                    && run.output.contains("settings-security.xml"), run.tail());
            assertTrue(server.requests.isEmpty(), "a request reached the repository: " + server.requests);
        }
    }

    @Test
    void maven3LoadsTheExtensionFromDotMvnExtensionsXml() throws Exception {
        store("private-repo");
        try (RepositoryServer server = new RepositoryServer(repoDir, USER, password)) {
            Path project = project(server.url(), "{[type=keyring4j]" + service + "/private-repo}", null, true);
            Run run = mvn(maven3, project, "kernel", "validate");
            assertEquals(0, run.exit, run.tail());
            assertTrue(server.authorized("GET") >= 2, "parent and extension fetched: " + server.requests);
        }
    }

    @Test
    void maven3CommandTokenRunsOnceForEveryResolutionAndTheDeploy() throws Exception {
        try (RepositoryServer server = new RepositoryServer(repoDir, USER, password)) {
            Path config = commandConfig(server);
            String form = "{[type=keyring4j]" + Reference.of("http://127.0.0.1:" + server.port(), "ci").payload() + "}";
            Path project = project(server.url(), form, form, false);
            Run run = mvnWith(maven3Ext, project, Map.of("KEYRING4J_CONFIG", config.toString()), true, "deploy");
            assertEquals(0, run.exit, run.tail());
            assertResolvedAndDeployed(server, run);
            assertEquals(1, tokenRuns(config), "the token command runs once within its ttl, for both servers' passwords");
        }
    }

    // ---- Maven 4 ----

    @Test
    void maven4ResolvesAndDeploysWithThePasswordOnlyInKeyring4j() throws Exception {
        store("private-repo");
        try (RepositoryServer server = new RepositoryServer(repoDir, USER, password)) {
            Path project = project(server.url(), "{[name=keyring4j,version=4.0]" + service + "/private-repo}", null, false);
            Run run = mvn(maven4Ext, project, "kernel", "-X", "deploy");
            assertEquals(0, run.exit, run.tail());
            assertResolvedAndDeployed(server, run);
            assertFalse(run.output.contains(password), "mvn -X printed the secret");
        }
    }

    @Test
    void maven4WithoutTheExtensionCannotResolve() throws Exception {
        store("private-repo");
        try (RepositoryServer server = new RepositoryServer(repoDir, USER, password)) {
            Path project = project(server.url(), "{[name=keyring4j,version=4.0]" + service + "/private-repo}", null, false);
            Run run = mvn(maven4, project, "kernel", "validate");
            assertNotEquals(0, run.exit, run.tail());
            assertEquals(0, server.authorized("GET"), "resolved without the extension?");
        }
    }

    @Test
    void maven4MissingCredentialFailsWithKeyring4jsMessageBeforeAnyRequest() throws Exception {
        try (RepositoryServer server = new RepositoryServer(repoDir, USER, password)) {
            Path project = project(server.url(), "{[name=keyring4j,version=4.0]" + service + "/private-repo}", null, false);
            Run run = mvn(maven4Ext, project, "kernel", "validate");
            assertNotEquals(0, run.exit);
            // the server id, as under Maven 3.9, though Maven 4 never says whose value it decrypts (SettingsOwners finds it)
            assertTrue(run.output.contains("keyring4j could not supply the password of server 'private-repo' ({[name=keyring4j,version=4.0]" + service
                    + "/private-repo}): no credential under service '" + service + "', account 'private-repo' in the kernel store"), run.tail());
            assertTrue(run.output.contains("Could not decrypt password"), "Maven 4's own fatal settings problem: " + run.tail());
            assertTrue(server.requests.isEmpty(), "a request reached the repository: " + server.requests);
        }
    }

    @Test
    void maven4RefusesTheMaven39FormNamingTheServer() throws Exception {
        store("private-repo");
        try (RepositoryServer server = new RepositoryServer(repoDir, USER, password)) {
            Path project = project(server.url(), "{[type=keyring4j]" + service + "/private-repo}", null, false);
            Run run = mvn(maven4Ext, project, "kernel", "validate");
            assertNotEquals(0, run.exit);
            assertTrue(run.output.contains("Maven 4 does not read the Maven 3.9 form in the password of server 'private-repo'"), run.tail());
            assertTrue(server.requests.isEmpty(), "a request reached the repository: " + server.requests);
        }
    }

    @Test
    void maven4DecryptsSettingsBeforeDotMvnExtensionsXmlLoads() throws Exception {
        store("private-repo");
        try (RepositoryServer server = new RepositoryServer(repoDir, USER, password)) {
            Path project = project(server.url(), "{[name=keyring4j,version=4.0]" + service + "/private-repo}", null, true);
            Run run = mvn(maven4, project, "kernel", "validate");
            // documented in docs/integrations/maven.md: under Maven 4 only ${maven.home}/lib/ext works
            assertNotEquals(0, run.exit, "Maven 4 now loads .mvn/extensions.xml before decrypting settings: update the docs\n" + run.tail());
            assertEquals(0, server.authorized("GET"));
        }
    }

    @Test
    void maven4CommandTokenRunsOnceForEveryResolutionAndTheDeploy() throws Exception {
        try (RepositoryServer server = new RepositoryServer(repoDir, USER, password)) {
            Path config = commandConfig(server);
            String form = "{[name=keyring4j,version=4.0]" + Reference.of("http://127.0.0.1:" + server.port(), "ci").payload() + "}";
            Path project = project(server.url(), form, form, false);
            Run run = mvnWith(maven4Ext, project, Map.of("KEYRING4J_CONFIG", config.toString()), true, "deploy");
            assertEquals(0, run.exit, run.tail());
            assertResolvedAndDeployed(server, run);
            assertEquals(1, tokenRuns(config), "the token command runs once within its ttl, for both servers' passwords");
        }
    }

    // ---- helpers ----

    private void store(String account) {
        kernel.set(service, account, Secret.of(password));
        stored.add(new String[] {service, account});
    }

    private static void assertResolvedAndDeployed(RepositoryServer server, Run run) {
        assertTrue(server.requests.stream().anyMatch(r -> r.authorized() && r.method().equals("GET") && r.path().endsWith("secret-parent-1.0.pom")),
                "parent not fetched: " + server.requests + "\n" + run.tail());
        assertTrue(server.requests.stream().anyMatch(r -> r.authorized() && r.method().equals("GET") && r.path().endsWith("secret-lib-1.0.jar")),
                "extension jar not fetched: " + server.requests);
        assertTrue(server.requests.stream().anyMatch(r -> r.authorized() && r.method().equals("PUT") && r.path().endsWith("throwaway-1.0.pom")),
                "not deployed: " + server.requests);
        assertTrue(server.requests.stream().noneMatch(r -> r.sentCredentials() && !r.authorized()), "a wrong password was sent: " + server.requests);
    }

    private Path commandConfig(RepositoryServer server) throws IOException {
        Path dir = Files.createTempDirectory(work, "command");
        Path count = dir.resolve("runs");
        Path script = dir.resolve("token.sh");
        Files.writeString(script, "#!/bin/sh\necho run >> '" + count + "'\nprintf '%s\\n' '" + password + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Path config = dir.resolve("keyring.properties");
        Files.writeString(config, "backend = command\n"
                + "command.rule.repo.match = http://127.0.0.1:" + server.port() + "\n"
                + "command.rule.repo.run = " + script + "\n"
                + "command.rule.repo.ttl = PT10M\n");
        return config;
    }

    private static long tokenRuns(Path config) throws IOException {
        Path count = config.resolveSibling("runs");
        return Files.exists(count) ? Files.readAllLines(count).size() : 0;
    }

    /** The parent POM and a jar used as a build extension, both resolved while Maven reads the project. */
    private static void seedRepository(Path repo) throws IOException {
        Path parent = repo.resolve(GROUP_PATH + "/secret-parent/1.0");
        Files.createDirectories(parent);
        writeWithSha1(parent.resolve("secret-parent-1.0.pom"), ("<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
                + "<groupId>com.example.k4j</groupId><artifactId>secret-parent</artifactId><version>1.0</version><packaging>pom</packaging></project>\n")
                .getBytes(StandardCharsets.UTF_8));
        Path lib = repo.resolve(GROUP_PATH + "/secret-lib/1.0");
        Files.createDirectories(lib);
        writeWithSha1(lib.resolve("secret-lib-1.0.pom"), ("<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
                + "<groupId>com.example.k4j</groupId><artifactId>secret-lib</artifactId><version>1.0</version></project>\n").getBytes(StandardCharsets.UTF_8));
        java.io.ByteArrayOutputStream jar = new java.io.ByteArrayOutputStream();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
        try (JarOutputStream out = new JarOutputStream(jar, manifest)) {
            out.putNextEntry(new java.util.jar.JarEntry("secret-lib.txt"));
            out.write("served only with the password".getBytes(StandardCharsets.UTF_8));
        }
        writeWithSha1(lib.resolve("secret-lib-1.0.jar"), jar.toByteArray());
    }

    private static void writeWithSha1(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        try {
            Files.writeString(file.resolveSibling(file.getFileName() + ".sha1"), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A throwaway project (and its settings.xml) whose parent and build extension are served by the repository. */
    private Path project(String url, String password, String deployPassword, boolean dotMvnExtension) throws IOException {
        Path project = Files.createTempDirectory(work, "project");
        String deployId = deployPassword == null ? "private-repo" : "private-deploy";
        Files.writeString(project.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <parent><groupId>com.example.k4j</groupId><artifactId>secret-parent</artifactId><version>1.0</version><relativePath/></parent>
                  <artifactId>throwaway</artifactId>
                  <version>1.0</version>
                  <packaging>pom</packaging>
                  <repositories><repository><id>private-repo</id><url>URL</url><snapshots><enabled>false</enabled></snapshots></repository></repositories>
                  <pluginRepositories><pluginRepository><id>private-repo</id><url>URL</url><snapshots><enabled>false</enabled></snapshots></pluginRepository></pluginRepositories>
                  <distributionManagement><repository><id>DEPLOY_ID</id><url>URL</url></repository></distributionManagement>
                  <build>
                    <extensions><extension><groupId>com.example.k4j</groupId><artifactId>secret-lib</artifactId><version>1.0</version></extension></extensions>
                    <pluginManagement><plugins>
                      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-install-plugin</artifactId><version>INSTALL</version></plugin>
                      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-deploy-plugin</artifactId><version>DEPLOY</version></plugin>
                    </plugins></pluginManagement>
                  </build>
                </project>
                """.replace("URL", url).replace("DEPLOY_ID", deployId)
                .replace("INSTALL", System.getProperty("k4jtest.install-plugin.version"))
                .replace("DEPLOY", System.getProperty("k4jtest.deploy-plugin.version")));
        StringBuilder servers = new StringBuilder("<server><id>private-repo</id><username>" + USER + "</username><password>" + xml(password) + "</password></server>");
        if (deployPassword != null) {
            servers.append("<server><id>private-deploy</id><username>" + USER + "</username><password>" + xml(deployPassword) + "</password></server>");
        }
        Files.writeString(project.resolve("settings.xml"), "<settings><servers>" + servers + "</servers></settings>\n");
        Files.writeString(project.resolve("settings-security.xml"), "<settingsSecurity/>\n");
        if (dotMvnExtension) {
            Files.createDirectories(project.resolve(".mvn"));
            Files.writeString(project.resolve(".mvn/extensions.xml"), "<extensions><extension><groupId>dev.keyring4j</groupId>"
                    + "<artifactId>keyring4j-maven-extension</artifactId><version>" + System.getProperty("k4jtest.project.version")
                    + "</version></extension></extensions>\n");
        }
        return project;
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;");
    }

    record Run(int exit, String output) {
        String tail() {
            return output.length() > 6000 ? "…" + output.substring(output.length() - 6000) : output;
        }
    }

    private Run mvn(Path mavenHome, Path project, String backend, String... args) throws Exception {
        return mvnWith(mavenHome, project, Map.of("KEYRING4J_BACKEND", backend), true, args);
    }

    private Run mvnWith(Path mavenHome, Path project, Map<String, String> env, boolean settingsSecurity, String... args) throws Exception {
        Path home = Files.createDirectories(project.resolve("home"));
        // one private local repository per distribution (plugins downloaded once), without the served artifacts
        Path localRepo = work.resolve("local-repo-" + mavenHome.getFileName());
        deleteTree(localRepo.resolve(GROUP_PATH));
        List<String> cmd = new ArrayList<>(List.of(mavenHome.resolve("bin/mvn").toString(), "-B", "-e",
                "-s", project.resolve("settings.xml").toString(),
                "-f", project.resolve("pom.xml").toString(),
                "-Dmaven.repo.local=" + localRepo,
                "-Dmaven.repo.local.tail=" + extensionRepo + "," + Path.of(System.getProperty("user.home"), ".m2", "repository")));
        if (settingsSecurity) cmd.add("-Dsettings.security=" + project.resolve("settings-security.xml"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true);
        Path log = project.resolve("mvn.log");
        pb.redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYRING4J_") || k.startsWith("MAVEN_") || k.equals("M2_HOME"));
        pb.environment().put("HOME", home.toString());
        pb.environment().put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        pb.environment().put("XDG_DATA_HOME", home.resolve(".local/share").toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("mvn did not finish in 240 s: " + Files.readString(log));
        }
        return new Run(p.exitValue(), Files.readString(log));
    }

    private static Path copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
        return to;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

}
