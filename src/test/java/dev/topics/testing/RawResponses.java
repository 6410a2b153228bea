package dev.topics.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The response side of {@link Http#raw}: the bytes read off the socket until the server
 * closes it, parsed as an HTTP/1.1 response (a chunked body is decoded, a Content-Length
 * body cut to its length).
 */
final class RawResponses {
    private RawResponses() {
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        try {
            int n;
            while ((n = in.read(b)) >= 0) {
                buf.write(b, 0, n);
            }
        } catch (IOException e) {
            if (buf.size() == 0) {
                throw e;
            }
            // A reset after the response arrived: keep what was read.
        }
        return buf.toByteArray();
    }

    static Http.Response parseRaw(String what, byte[] all) {
        String text = new String(all, StandardCharsets.ISO_8859_1);
        int split = text.indexOf("\r\n\r\n");
        if (split < 0) {
            throw new AssertionError(what + ": no complete HTTP response, got: " + text);
        }
        String[] lines = text.substring(0, split).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, List<String>> h = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            h.computeIfAbsent(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[i].substring(c + 1).trim());
        }
        byte[] rest = java.util.Arrays.copyOfRange(all, split + 4, all.length);
        if (h.getOrDefault("transfer-encoding", List.of()).stream().anyMatch(v -> v.equalsIgnoreCase("chunked"))) {
            rest = dechunk(rest);
        } else if (h.containsKey("content-length")) {
            int n = Integer.parseInt(h.get("content-length").get(0));
            rest = java.util.Arrays.copyOf(rest, Math.min(n, rest.length));
        }
        return new Http.Response(what, status, h, rest);
    }

    private static byte[] dechunk(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int p = 0;
        while (p < b.length) {
            int eol = p;
            while (eol + 1 < b.length && !(b[eol] == '\r' && b[eol + 1] == '\n')) {
                eol++;
            }
            String size = new String(b, p, eol - p, StandardCharsets.ISO_8859_1).split(";")[0].trim();
            int n = Integer.parseInt(size, 16);
            if (n == 0) {
                break;
            }
            out.write(b, eol + 2, n);
            p = eol + 2 + n + 2;
        }
        return out.toByteArray();
    }
}
