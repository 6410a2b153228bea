package dev.topics.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** The files under a directory whose bytes hold a marker: how tests see that deleted bytes left the disk (SPEC §6). */
public final class FilesHolding {
    private FilesHolding() {
    }

    /** The regular files under {@code dir} that {@code which} accepts and whose bytes contain {@code marker} (UTF-8). */
    public static List<Path> marker(Path dir, String marker, Predicate<Path> which) {
        // a live server renames files (x.tmp -> x) while the walk lists them: look again
        for (int attempt = 1; ; attempt++) {
            try {
                return once(dir, marker, which);
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof NoSuchFileException) || attempt == 20) {
                    throw e;
                }
            }
        }
    }

    private static List<Path> once(Path dir, String marker, Predicate<Path> which) {
        byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(which).filter(p -> {
                try {
                    byte[] b = Files.readAllBytes(p);
                    outer:
                    for (int i = 0; i + needle.length <= b.length; i++) {
                        for (int j = 0; j < needle.length; j++) {
                            if (b[i + j] != needle[j]) {
                                continue outer;
                            }
                        }
                        return true;
                    }
                    return false;
                } catch (IOException e) {
                    return false; // deleted or swapped away while we looked
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
