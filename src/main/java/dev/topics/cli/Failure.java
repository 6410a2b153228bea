package dev.topics.cli;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Why a command failed at run time, for exit code 1: the server refused (its error code and
 * message) or could not be reached. The message is printed after {@code topics: }.
 */
final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
        super(message, null, false, false);
    }

    /** An answer outside 2xx: {@code code: message} from the error body, else the status and the body's start. */
    static Failure refused(int status, byte[] body) {
        try {
            if (JsonTree.object(body).get("error") instanceof Map<?, ?> e
                    && e.get("code") instanceof String code && e.get("message") instanceof String message) {
                return new Failure(code + ": " + message);
            }
        } catch (RuntimeException notJson) {
            // fall through: say what came back
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.length() > 200) {
            text = text.substring(0, 200) + "…";
        }
        return new Failure("the server answered HTTP " + status + (text.isEmpty() ? "" : ": " + text));
    }

    /** The server at {@code base} did not answer. */
    static Failure unreachable(URI base, Exception e) {
        String server = base.toString().replaceAll("/$", "");
        if (e instanceof HttpTimeoutException || e instanceof SocketTimeoutException) {
            return new Failure("no answer from " + server + " in time");
        }
        return new Failure("cannot reach " + server + " (" + why(e) + ")");
    }

    /** The JDK's client often leaves messages out; say what the exceptions' kinds mean. */
    private static String why(Exception e) {
        String message = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "unknown host";
            }
            if (t instanceof ConnectException && t.getMessage() != null && t.getMessage().contains("refused")) {
                return "connection refused"; // HttpURLConnection says "Connection refused", HttpClient nothing
            }
            if (message == null) {
                message = t.getMessage();
            }
        }
        if (message != null) {
            return message;
        }
        return e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName();
    }
}
