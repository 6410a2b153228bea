package dev.topics.cli;

import java.net.URI;
import java.net.URISyntaxException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The options every client command takes: which server, which token, and
 * whether to print the server's JSON instead of text for people. The server and token
 * default to the {@code TOPICS} and {@code TOPICS_TOKEN} environment variables.
 */
final class Globals {
    static final String DEFAULT_SERVER = "http://127.0.0.1:4000";

    @Option(names = "--server", paramLabel = "URL",
            description = "The server's base URL (default: $TOPICS, else " + DEFAULT_SERVER + ").")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "API token, sent as 'Authorization: Bearer' (default: $TOPICS_TOKEN).")
    String token;

    @Option(names = "--json", description = "Print the server's JSON answer (for scripts).")
    boolean json;

    /** The API these options point at; a server that is not an http(s) URL is a usage error. */
    Api api(Terminal terminal, CommandSpec spec) {
        String url = server != null ? server : terminal.env().getOrDefault("TOPICS", DEFAULT_SERVER);
        String bearer = token != null ? token : terminal.env().get("TOPICS_TOKEN");
        URI base;
        try {
            base = new URI(url.endsWith("/") ? url : url + "/");
        } catch (URISyntaxException e) {
            base = null;
        }
        if (base == null || !("http".equals(base.getScheme()) || "https".equals(base.getScheme())) || base.getHost() == null) {
            throw new ParameterException(spec.commandLine(),
                    "the server must be an http(s) URL such as " + DEFAULT_SERVER + ", not '" + url + "'");
        }
        return new Api(base, bearer == null || bearer.isEmpty() ? null : bearer);
    }
}
