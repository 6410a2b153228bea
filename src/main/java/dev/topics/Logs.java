package dev.topics;

import dev.topics.config.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The server's log (java.util.logging, to standard error): one line per message, its time in
 * UTC. {@code log.format} picks {@link Text} ({@code 2026-12-03T17:31:46.808Z INFO message})
 * or {@link Json} (one object per line: {@code ts}, {@code level}, {@code logger},
 * {@code message}, {@code error}, and an access line's fields); {@code log.level} the least
 * level written; {@code log.access} adds one line per HTTP request on the logger
 * {@code dev.topics.access}. {@code logging.properties} names {@link Text}, so that lines
 * written before the config is read are UTC too.
 */
public final class Logs {
    /** The access log's logger: one INFO line per request when {@code log.access} is on. */
    public static final Logger ACCESS = Logger.getLogger("dev.topics.access");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static volatile boolean access;

    private Logs() {
    }

    /** Applies {@code log.*}: the format of every handler on the root logger, and the level. */
    static void configure(ServerConfig.Log log) {
        Logger root = Logger.getLogger("");
        Formatter f = log.json() ? new Json() : new Text();
        boolean found = false;
        for (Handler h : root.getHandlers()) {
            if (h instanceof ConsoleHandler) {
                h.setFormatter(f);
                h.setLevel(Level.ALL);
                found = true;
            }
        }
        if (!found) {
            ConsoleHandler h = new ConsoleHandler();
            h.setFormatter(f);
            h.setLevel(Level.ALL);
            root.addHandler(h);
        }
        root.setLevel(log.level());
        Logger.getLogger("dev.topics").setLevel(log.level());
        access = log.access();
        ACCESS.setLevel(access ? Level.INFO : Level.OFF);
    }

    /** Whether requests are logged. */
    public static boolean access() {
        return access;
    }

    /**
     * One request on the access log: its method, path (without the query, which may hold a
     * token), status, duration and the client's address.
     */
    public static void request(String method, String path, int status, long nanos, String remote) {
        LogRecord r = new LogRecord(Level.INFO, method + " " + path + " " + status + " "
                + String.format("%.2f", nanos / 1e6) + " ms " + remote);
        r.setLoggerName(ACCESS.getName());
        r.setParameters(new Object[] {Map.of("method", method, "path", path, "status", status,
                "ms", Math.round(nanos / 1e4) / 100.0, "remote", remote)});
        ACCESS.log(r);
    }

    static String time(LogRecord r) {
        return TIME.format(r.getInstant());
    }

    static String level(Level l) {
        return l == Level.SEVERE ? "ERROR" : l == Level.WARNING ? "WARN" : l.intValue() >= Level.INFO.intValue() ? "INFO"
                : "DEBUG";
    }

    static String stack(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    /** {@code <UTC time> <LEVEL> <message>}, then the stack of a thrown exception, if any. */
    public static final class Text extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder b = new StringBuilder(128).append(time(r)).append(' ').append(level(r.getLevel())).append(' ')
                    .append(formatMessage(r)).append('\n');
            if (r.getThrown() != null) {
                b.append(stack(r.getThrown()));
            }
            return b.toString();
        }
    }

    /** One JSON object per line. */
    public static final class Json extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder b = new StringBuilder(192).append("{\"ts\":\"").append(time(r)).append("\",\"level\":\"")
                    .append(level(r.getLevel())).append("\",\"logger\":");
            string(b, r.getLoggerName() == null ? "" : r.getLoggerName());
            Object[] p = r.getParameters();
            if (p != null && p.length == 1 && p[0] instanceof Map<?, ?> fields) {
                b.append(",\"message\":");
                string(b, r.getMessage());
                for (var e : fields.entrySet()) {
                    b.append(',');
                    string(b, e.getKey().toString());
                    b.append(':');
                    if (e.getValue() instanceof Number n) {
                        b.append(n);
                    } else {
                        string(b, String.valueOf(e.getValue()));
                    }
                }
            } else {
                b.append(",\"message\":");
                string(b, formatMessage(r));
            }
            if (r.getThrown() != null) {
                b.append(",\"error\":");
                string(b, stack(r.getThrown()));
            }
            return b.append("}\n").toString();
        }

        private static void string(StringBuilder b, String s) {
            b.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            b.append('"');
        }
    }
}
