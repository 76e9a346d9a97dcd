package io.github.sshexporter.web;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * YAML read the way Go's {@code yaml.UnmarshalStrict} reads it into typed fields, which is how
 * the exporter-toolkit reads the web config: an unknown key or a key given twice is an error, a
 * string field takes any scalar's text ({@code key: 123} is the string "123"), and an empty value
 * leaves the field at its default. Errors name the line and the key path.
 */
final class StrictYaml {
    /** A YAML mapping being read; {@link #done()} rejects whatever key was not asked for. */
    static final class Mapping {
        private final String path;
        private final Map<String, Node> values = new LinkedHashMap<>();
        private final Map<String, Node> keys = new LinkedHashMap<>();
        private final Set<String> read = new HashSet<>();

        private Mapping(String path, MappingNode node) throws WebConfigException {
            this.path = path;
            for (NodeTuple t : node.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode key)) {
                    throw error(t.getKeyNode(), path, "keys must be plain strings");
                }
                String name = key.getValue();
                if (values.containsKey(name)) {
                    throw error(key, join(path, name), "key given twice");
                }
                values.put(name, t.getValueNode());
                keys.put(name, key);
            }
        }

        String path() {
            return path;
        }

        /** The value node of a key, or null when absent or empty ({@code key:}, {@code ~}, {@code null}). */
        Node node(String key) {
            read.add(key);
            Node n = values.get(key);
            return isNull(n) ? null : n;
        }

        boolean has(String key) {
            return values.containsKey(key);
        }

        String string(String key, String fallback) throws WebConfigException {
            Node n = node(key);
            return n == null ? fallback : scalar(n, join(path, key), "a string");
        }

        boolean bool(String key, boolean fallback) throws WebConfigException {
            Node n = node(key);
            if (n == null) {
                return fallback;
            }
            String text = scalar(n, join(path, key), "true or false");
            // yaml.v2 (YAML 1.1) spellings, which Go's parser accepts for a bool.
            switch (text.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "y", "on":
                    return true;
                case "false", "no", "n", "off":
                    return false;
                default:
                    throw error(n, join(path, key), "expected true or false, got '" + text + "'");
            }
        }

        long integer(String key, long fallback) throws WebConfigException {
            Node n = node(key);
            if (n == null) {
                return fallback;
            }
            String text = scalar(n, join(path, key), "a whole number").replace("_", "");
            try {
                return Long.decode(text);
            } catch (NumberFormatException e) {
                throw error(n, join(path, key), "expected a whole number, got '" + text + "'");
            }
        }

        /** A list of strings, or null when the key is absent or empty. */
        List<String> strings(String key) throws WebConfigException {
            Node n = node(key);
            if (n == null) {
                return null;
            }
            String where = join(path, key);
            if (!(n instanceof SequenceNode seq)) {
                throw error(n, where, "expected a list");
            }
            List<String> out = new ArrayList<>();
            for (Node item : seq.getValue()) {
                out.add(isNull(item) ? "" : scalar(item, where, "a string"));
            }
            return out;
        }

        /** A mapping of strings to strings (in file order), or an empty map. */
        Map<String, String> stringMap(String key) throws WebConfigException {
            Mapping m = mapping(key);
            Map<String, String> out = new LinkedHashMap<>();
            if (m == null) {
                return out;
            }
            for (String k : m.values.keySet()) {
                out.put(k, m.string(k, ""));
            }
            return out;
        }

        Mapping mapping(String key) throws WebConfigException {
            Node n = node(key);
            if (n == null) {
                return null;
            }
            if (!(n instanceof MappingNode m)) {
                throw error(n, join(path, key), "expected a mapping of keys to values");
            }
            return new Mapping(join(path, key), m);
        }

        Node keyNode(String key) {
            return keys.get(key);
        }

        /** Fails on the first key that nobody asked for (yaml strict mode). */
        void done() throws WebConfigException {
            for (Map.Entry<String, Node> e : keys.entrySet()) {
                if (!read.contains(e.getKey())) {
                    throw error(e.getValue(), path.isEmpty() ? null : path,
                            "unknown field \"" + e.getKey() + "\"");
                }
            }
        }
    }

    private StrictYaml() {}

    /** The top-level mapping of a document; an empty document is an empty mapping. */
    static Mapping parse(String text, String label) throws WebConfigException {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(label)
                .setMaxAliasesForCollections(20)
                .setCodePointLimit(1 << 20)
                .build();
        Optional<Node> root;
        try {
            root = new Compose(settings).composeString(text);
        } catch (YamlEngineException e) {
            throw new WebConfigException("not valid YAML: " + oneLine(e.getMessage()));
        } catch (StackOverflowError e) {
            // The composer recurses once per level of nesting ("[[[[..."): a config never nests
            // more than four levels, so this is not one, and the stack unwound here is the parse's only.
            throw new WebConfigException("not valid YAML: nested too deeply");
        }
        if (root.isEmpty() || isNull(root.get())) {
            return new Mapping("", new MappingNode(Tag.MAP, List.of(), org.snakeyaml.engine.v2.common.FlowStyle.AUTO));
        }
        if (!(root.get() instanceof MappingNode m)) {
            throw error(root.get(), null, "expected a mapping of keys to values at the top");
        }
        return new Mapping("", m);
    }

    static String scalar(Node n, String where, String expected) throws WebConfigException {
        if (n instanceof ScalarNode s) {
            return s.getValue();
        }
        throw error(n, where, "expected " + expected + ", got a " + (n instanceof SequenceNode ? "list" : "mapping"));
    }

    private static boolean isNull(Node n) {
        return n == null || (n instanceof ScalarNode s && Tag.NULL.equals(s.getTag()));
    }

    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static WebConfigException error(Node n, String where, String message) {
        StringBuilder b = new StringBuilder();
        Optional<Mark> mark = n == null ? Optional.empty() : n.getStartMark();
        mark.ifPresent(m -> b.append("line ").append(m.getLine() + 1).append(": "));
        if (where != null && !where.isEmpty()) {
            b.append(where).append(": ");
        }
        return new WebConfigException(b.append(message).toString());
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\n\\s*", " ").strip();
    }
}
