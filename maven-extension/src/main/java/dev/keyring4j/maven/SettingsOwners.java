package dev.keyring4j.maven;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * {@code MAVEN_ARGS}) and {@code .mvn/maven.config}. Reads undecrypted text only; a file it cannot read
 * or parse is skipped, and then the failure names the form alone.
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
        Set<String> owners = new LinkedHashSet<>();
        for (Path file : files(arguments(), System.getProperties())) {
            try {
                owners.addAll(in(file, payload));
            } catch (Exception e) {
                // best effort: the failure still names the form
            }
        }
        return List.copyOf(owners);
    }

    /** The Maven command line's arguments: this JVM's after the launcher class, then {@code .mvn/maven.config}'s. */
    static List<String> arguments() {
        List<String> args = new ArrayList<>();
        Optional<String[]> all = ProcessHandle.current().info().arguments();
        boolean afterLauncher = false;
        for (String arg : all.orElse(new String[0])) {
            if (afterLauncher) args.add(arg);
            else afterLauncher = arg.equals(LAUNCHER);
        }
        String root = System.getProperty("maven.multiModuleProjectDirectory");
        if (root != null) {
            try {
                for (String line : Files.readAllLines(Path.of(root, ".mvn", "maven.config"))) {
                    for (String token : line.trim().split("\\s+")) if (!token.isEmpty()) args.add(token);
                }
            } catch (IOException | RuntimeException e) {
                // no maven.config
            }
        }
        return args;
    }

    /** The settings files of the three levels, given Maven's arguments and the system properties. */
    static List<Path> files(List<String> args, Map<?, ?> properties) {
        Path home = Path.of(String.valueOf(properties.get("user.home")));
        Object mavenHome = properties.get("maven.home");
        Object root = properties.get("maven.multiModuleProjectDirectory");
        String[] installation = {option(args, "-is", "--install-settings", "-gs", "--global-settings"), define(args, properties, "maven.installation.settings"),
            mavenHome == null ? null : Path.of(mavenHome.toString(), "conf", "settings.xml").toString()};
        String[] project = {option(args, "-ps", "--project-settings"), define(args, properties, "maven.project.settings"),
            root == null ? null : Path.of(root.toString(), ".mvn", "settings.xml").toString()};
        String[] user = {option(args, "-s", "--settings"), define(args, properties, "maven.user.settings"), home.resolve(".m2").resolve("settings.xml").toString()};
        List<Path> files = new ArrayList<>();
        Path cwd = Path.of(String.valueOf(properties.get("user.dir")));
        for (String[] level : List.of(installation, project, user)) {
            for (String candidate : level) {
                if (candidate != null) {
                    Path file = cwd.resolve(candidate);
                    if (Files.isRegularFile(file)) files.add(file);
                    break; // the first one given wins, as in Maven; a missing file is then no settings at that level
                }
            }
        }
        return files;
    }

    /** The value of the last of these options ({@code -s FILE}, {@code --settings=FILE}), or null. */
    private static String option(List<String> args, String... names) {
        String value = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            for (String name : names) {
                if (arg.equals(name) && i + 1 < args.size()) value = args.get(i + 1);
                else if (name.startsWith("--") && arg.startsWith(name + "=")) value = arg.substring(name.length() + 1);
            }
        }
        return value;
    }

    /** {@code -Dkey=value} on the command line, else the system property. */
    private static String define(List<String> args, Map<?, ?> properties, String key) {
        String value = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("-D" + key + "=")) value = arg.substring(key.length() + 3);
            else if (arg.equals("-D") && i + 1 < args.size() && args.get(i + 1).startsWith(key + "=")) value = args.get(i + 1).substring(key.length() + 1);
        }
        Object property = properties.get(key);
        return value != null ? value : property == null ? null : property.toString();
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
