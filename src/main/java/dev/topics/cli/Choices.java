package dev.topics.cli;

import java.util.Iterator;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Options that take one of a few words, spelled as the server spells them: each subclass
 * is both the option's converter (another word is a usage error) and its completion
 * candidates.
 */
abstract class Choices implements ITypeConverter<String>, Iterable<String> {
    private final List<String> words;

    Choices(String... words) {
        this.words = List.of(words);
    }

    @Override
    public String convert(String value) {
        if (!words.contains(value)) {
            throw new TypeConversionException("'" + value + "' is not one of " + String.join(", ", words));
        }
        return value;
    }

    @Override
    public Iterator<String> iterator() {
        return words.iterator();
    }

    /** A topic's {@code discard}. */
    static final class Discard extends Choices {
        Discard() {
            super("old", "new");
        }
    }

    /** A topic's {@code durability}. */
    static final class Durability extends Choices {
        Durability() {
            super("fsync", "async");
        }
    }

    /** A share token's {@code access}. */
    static final class Access extends Choices {
        Access() {
            super("ro", "wo", "rw");
        }
    }

    /** A permission's {@code effect}. */
    static final class Effect extends Choices {
        Effect() {
            super("allow", "deny");
        }
    }

    /** A permission's {@code actions} (one each). */
    static final class Actions extends Choices {
        Actions() {
            super("read", "publish", "mirror");
        }
    }

    /** The {@code state} a webhook can be set to (resuming a failing one). */
    static final class WebhookState extends Choices {
        WebhookState() {
            super("active");
        }
    }

    /** The shells {@code completion} writes scripts for. */
    static final class Shell extends Choices {
        Shell() {
            super("bash", "zsh", "fish");
        }
    }
}
