package dev.topics.storage.segment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.topics.storage.io.FileNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TagBloomTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static long hash(String s) {
        byte[] t = b(s);
        return TagBloom.hash(t, 0, t.length);
    }

    @Test
    void noAddedTagIsEverMissedAndFewOthersPass() {
        long[] hashes = new long[100_000];
        for (int i = 0; i < hashes.length; i++) {
            byte[] t = b("tag-" + i);
            hashes[i] = TagBloom.hash(t, 0, t.length);
        }
        TagBloom f = TagBloom.of(hashes, hashes.length);
        for (int i = 0; i < 100_000; i++) {
            assertThat(f.mayContainHash(hash("tag-" + i))).isTrue();
        }
        int falsePositives = 0;
        for (int i = 0; i < 100_000; i++) {
            if (f.mayContainHash(hash("other-" + i))) {
                falsePositives++;
            }
        }
        assertThat(falsePositives).as("false positives per 100k at 10 bits per tag").isLessThan(2_000);
    }

    @Test
    void aFilterSurvivesItsFileAndADamagedFileReadsAsUnknown() throws Exception {
        TagBloom f = TagBloom.of(new long[] {hash("order-7731")}, 1);
        f.write(dir, 42);
        TagBloom back = TagBloom.read(dir, 42);
        assertThat(back.mayContainHash(hash("order-7731"))).isTrue();
        assertThat(TagBloom.read(dir, 43)).as("no file").isNull();
        java.nio.file.Path file = dir.resolve(FileNames.bloomName(42));
        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        bytes[100] ^= 1;
        java.nio.file.Files.write(file, bytes);
        assertThat(TagBloom.read(dir, 42)).as("CRC mismatch").isNull();
    }
}
