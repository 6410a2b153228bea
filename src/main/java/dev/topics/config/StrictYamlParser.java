package dev.topics.config;

import io.helidon.common.media.type.MediaType;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.spi.ConfigNode.ListNode;
import io.helidon.config.spi.ConfigNode.ObjectNode;
import io.helidon.config.spi.ConfigNode.ValueNode;
import io.helidon.config.spi.ConfigParser;
import io.helidon.config.spi.ConfigParserException;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serial;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A YAML parser for Helidon Config that keeps every scalar exactly as written.
 *
 * <p>Why not Helidon's own {@code YamlConfigParser}: it resolves YAML 1.1 implicit types
 * before Helidon turns them back into strings, so {@code yes}/{@code on} become
 * {@code "true"}, {@code 0755} becomes {@code "493"} and {@code 0x1F} becomes
 * {@code "31"} — a silent rewrite of, say, an admin token. Here only {@code null},
 * {@code ~} and empty values are resolved (to {@code ""}); the loader then parses numbers
 * and booleans strictly. Duplicate keys are an error, not "last one wins".
 *
 * <p>Stateless and thread-safe (a {@link Yaml} is made per parse).
 */
final class StrictYamlParser implements ConfigParser {

    /** A one-line reason the file is unusable, carried through Helidon's exception wrapping. */
    static final class Unusable extends ConfigParserException {
        @Serial
        private static final long serialVersionUID = 1L;

        Unusable(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    @Override
    public Set<MediaType> supportedMediaTypes() {
        return Set.of(MediaTypes.APPLICATION_X_YAML, MediaTypes.APPLICATION_YAML, MediaTypes.TEXT_YAML);
    }

    @Override
    public List<String> supportedSuffixes() {
        return List.of("yaml", "yml");
    }

    /** Helidon 4 still requires this one (deprecated for the two-argument form). */
    @Override
    @SuppressWarnings("deprecation")
    public ObjectNode parse(Content content) throws ConfigParserException {
        return parse(content, name -> Optional.empty());
    }

    /** {@code relativeResolver} is unused: topics config files include nothing. */
    @Override
    public ObjectNode parse(Content content, Function<String, Optional<InputStream>> relativeResolver)
            throws ConfigParserException {
        Object doc;
        try (InputStream in = content.data()) {
            doc = yaml().load(in);
        } catch (MarkedYAMLException e) {
            throw new Unusable("not valid YAML: " + describe(e), e);
        } catch (YAMLException e) {
            throw new Unusable("not valid YAML: " + oneLine(e.getMessage()), e);
        } catch (IOException e) {
            throw new Unusable("cannot be read: " + oneLine(e.getMessage()), e);
        }
        if (doc == null) {
            return ObjectNode.empty();          // an empty file, or comments only
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new Unusable("expected a map of keys at the top level, got " + kind(doc), null);
        }
        return toObject(map, "");
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        DumperOptions dumper = new DumperOptions();
        return new Yaml(new SafeConstructor(options), new Representer(dumper), dumper, options,
                new NullOnlyResolver());
    }

    /**
     * A dotted key is refused: Helidon would split {@code limits.max_json_depth: 7} into
     * {@code limits: {max_json_depth: 7}} and merge it silently with a nested
     * {@code limits:} section, so one setting could be written twice with no error.
     */
    private static ObjectNode toObject(Map<?, ?> map, String parent) {
        ObjectNode.Builder builder = ObjectNode.builder();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String name = String.valueOf(entry.getKey());
            String path = parent.isEmpty() ? name : parent + "." + name;
            if (name.contains(".") || name.contains("~")) {
                throw new Unusable("key \"" + oneLine(path) + "\": a key may not contain '.' or '~'; "
                        + "write sections as nested keys", null);
            }
            switch (entry.getValue()) {
                case Map<?, ?> m -> builder.addObject(name, toObject(m, path));
                case List<?> l -> builder.addList(name, toList(l, path));
                case null -> builder.addValue(name, ValueNode.create(""));
                default -> builder.addValue(name, ValueNode.create(String.valueOf(entry.getValue())));
            }
        }
        return builder.build();
    }

    private static ListNode toList(List<?> list, String parent) {
        ListNode.Builder builder = ListNode.builder();
        for (int i = 0; i < list.size(); i++) {
            String path = parent + "." + i;
            switch (list.get(i)) {
                case Map<?, ?> m -> builder.addObject(toObject(m, path));
                case List<?> l -> builder.addList(toList(l, path));
                case null -> builder.addValue(ValueNode.create(""));
                default -> builder.addValue(ValueNode.create(String.valueOf(list.get(i))));
            }
        }
        return builder.build();
    }

    private static String kind(Object doc) {
        return doc instanceof List<?> ? "a list" : "a single value";
    }

    /** SnakeYAML's multi-line message with snippet, as one line with a 1-based position. */
    private static String describe(MarkedYAMLException e) {
        StringBuilder sb = new StringBuilder();
        if (e.getContext() != null) {
            sb.append(e.getContext()).append(": ");
        }
        sb.append(e.getProblem() == null ? "syntax error" : e.getProblem());
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        if (mark != null) {
            sb.append(" (line ").append(mark.getLine() + 1).append(", column ")
                    .append(mark.getColumn() + 1).append(')');
        }
        return oneLine(sb.toString());
    }

    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** Resolves only null-like plain scalars; everything else stays a string as written. */
    private static final class NullOnlyResolver extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.NULL, NULL, "~nN\0", 10);
            addImplicitResolver(Tag.NULL, EMPTY, null, 10);
        }
    }
}
