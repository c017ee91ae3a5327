package dev.keyring4j.maven;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Which servers and proxies in the settings files of this Maven 4 run carry a keyring4j form, so that a
 * failure names the server id. Maven 4 decrypts each settings value on its own and never tells a
 * dispatcher whose value it is. The files are the three levels Maven 4 reads, as it resolves them:
 * installation ({@code -is}/{@code -gs}, {@code maven.installation.settings}, {@code ${maven.home}/conf}),
 * project ({@code -ps}, {@code maven.project.settings}, {@code <root>/.mvn}) and user ({@code -s},
 * {@code maven.user.settings}, {@code ~/.m2}), from this JVM's command line (which carries
 * {@code MAVEN_ARGS}) and {@code .mvn/maven.config}. Best effort: it does not follow Maven's own property
 * files or {@code ${…}} in these paths. Reads undecrypted text only; when no file it reads carries the form,
 * the failure names the form alone.
 */
final class SettingsOwners {
    private static final String LAUNCHER = "org.codehaus.plexus.classworlds.launcher.Launcher";

    private SettingsOwners() {
    }

    /**
     * What carries {@code {[name=keyring4j,…]payload}}, e.g. {@code the password of server 'private-repo'};
     * empty when no settings file read here has it.
     */
    static List<String> of(String payload) {
        try {
            Set<String> owners = new LinkedHashSet<>();
            String root = System.getProperty("maven.multiModuleProjectDirectory");
            List<String> args = arguments(ProcessHandle.current().info().arguments().orElse(new String[0]), root == null ? null : Path.of(root));
            for (Path file : files(args, System.getProperties())) {
                try {
                    owners.addAll(in(file, payload));
                } catch (Exception e) {
                    // this file cannot be read or parsed: the others may still name the owner
                }
            }
            return List.copyOf(owners);
        } catch (RuntimeException e) {
            return List.of(); // best effort: the failure still names the form, and keyring4j's message stays Maven's error
        }
    }

    /**
     * Maven's arguments: the JVM's after the launcher class (the {@code mvn} script puts {@code MAVEN_ARGS} there),
     * then {@code <root>/.mvn/maven.config}'s (one option per line, blank and {@code #} lines skipped). The command
     * line comes first, so it wins, as in Maven.
     */
    static List<String> arguments(String[] jvmArguments, Path root) {
        List<String> args = new ArrayList<>();
        boolean afterLauncher = false;
        for (String arg : jvmArguments) {
            if (afterLauncher) args.add(arg);
            else afterLauncher = arg.equals(LAUNCHER);
        }
        if (root != null) {
            try {
                for (String line : Files.readAllLines(root.resolve(".mvn").resolve("maven.config"))) {
                    String option = line.trim();
                    if (option.isEmpty() || option.startsWith("#")) continue;
                    String[] parts = option.split("\\s+", 2); // "-s file" on one line: the option and its value
                    args.addAll(List.of(parts));
                }
            } catch (IOException | RuntimeException e) {
                // no maven.config
            }
        }
        return args;
    }

    /** The settings files of the three levels, given Maven's arguments and the system properties. */
    static List<Path> files(List<String> args, Map<?, ?> properties) {
        Path cwd = Path.of(String.valueOf(properties.get("user.dir")));
        Path home = Path.of(String.valueOf(properties.get("user.home")));
        Object mavenHome = properties.get("maven.home");
        Object root = properties.get("maven.multiModuleProjectDirectory");
        // per level: the option (relative to the working directory), the property, the default; -is before -gs
        Path[] installation = {
            given(cwd, option(args, "-is", "--install-settings")), given(cwd, option(args, "-gs", "--global-settings")),
            given(mavenHome == null ? cwd : Path.of(mavenHome.toString()), define(args, properties, "maven.installation.settings")),
            mavenHome == null ? null : Path.of(mavenHome.toString(), "conf", "settings.xml")};
        Path[] project = {
            given(cwd, option(args, "-ps", "--project-settings")),
            given(root == null ? cwd : Path.of(root.toString()), define(args, properties, "maven.project.settings")),
            root == null ? null : Path.of(root.toString(), ".mvn", "settings.xml")};
        Path[] user = {
            given(cwd, option(args, "-s", "--settings")),
            given(home, define(args, properties, "maven.user.settings")),
            home.resolve(".m2").resolve("settings.xml")};
        List<Path> files = new ArrayList<>();
        for (Path[] level : List.of(installation, project, user)) {
            for (Path candidate : level) {
                if (candidate != null) {
                    // the first one given wins, as in Maven (which refuses a named file that is missing)
                    if (Files.isRegularFile(candidate)) files.add(candidate);
                    break;
                }
            }
        }
        return files;
    }

    private static Path given(Path base, String value) {
        return value == null ? null : base.resolve(value);
    }

    /** The value of the first of these options ({@code -s FILE}, {@code --settings=FILE}), or null, as commons-cli reads it. */
    private static String option(List<String> args, String... names) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            for (String name : names) {
                if (arg.equals(name) && i + 1 < args.size()) return args.get(i + 1);
                if (name.startsWith("--") && arg.startsWith(name + "=")) return arg.substring(name.length() + 1);
            }
        }
        return null;
    }

    /** The first {@code -Dkey=value} on the command line, else the system property. */
    private static String define(List<String> args, Map<?, ?> properties, String key) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("-D" + key + "=")) return arg.substring(key.length() + 3);
            if (arg.equals("-D") && i + 1 < args.size() && args.get(i + 1).startsWith(key + "=")) return args.get(i + 1).substring(key.length() + 1);
        }
        Object property = properties.get(key);
        return property == null ? null : property.toString();
    }

    /** The owners of the form in one settings file. */
    static List<String> in(Path file, String payload) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setExpandEntityReferences(false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setErrorHandler(new DefaultHandler() { // throws, as the default does, without printing to Maven's output
            @Override
            public void fatalError(SAXParseException e) throws SAXException {
                throw e;
            }
        });
        Document doc = builder.parse(file.toFile());
        List<String> owners = new ArrayList<>();
        for (Element server : children(doc.getDocumentElement(), "servers", "server")) {
            String id = text(server, "id");
            if (carries(text(server, "password"), payload)) owners.add("the password of server '" + id + "'");
            if (carries(text(server, "passphrase"), payload)) owners.add("the passphrase of server '" + id + "'");
        }
        for (Element proxy : children(doc.getDocumentElement(), "proxies", "proxy")) {
            if (carries(text(proxy, "password"), payload)) owners.add("the password of proxy '" + text(proxy, "id") + "'");
        }
        return owners;
    }

    private static boolean carries(String value, String payload) {
        return value != null && payload.equals(Reference.formPayload(value, "name"));
    }

    private static List<Element> children(Element root, String list, String item) {
        List<Element> out = new ArrayList<>();
        for (Element l : elements(root, list)) out.addAll(elements(l, item));
        return out;
    }

    private static List<Element> elements(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getLocalName() != null ? e.getLocalName() : e.getTagName())) out.add(e);
        }
        return out;
    }

    private static String text(Element parent, String name) {
        List<Element> found = elements(parent, name);
        return found.isEmpty() ? null : found.get(0).getTextContent();
    }
}
