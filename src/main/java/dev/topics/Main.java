package dev.topics;

import dev.topics.cli.ClientCommands;
import dev.topics.cli.Terminal;
import dev.topics.config.ConfigException;
import dev.topics.config.ConfigLoader;
import dev.topics.config.ServerConfig;
import io.helidon.logging.common.LogConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Wiring only: command line → config → HTTP server → storage (recovery) → ready.
 * The HTTP server starts before recovery so {@code /healthz} answers and {@code /readyz}
 * says when recovery is done. The client commands beside {@code serve} are in
 * {@link dev.topics.cli}.
 */
@Command(name = "topics", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Durable, named topics over plain HTTP and JSON.",
        subcommands = {Main.Serve.class})
public final class Main implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger("dev.topics");
    /** Exit code for bad configuration or an unusable environment (SPEC §1). */
    static final int EXIT_CONFIG = 2;

    /** Held by the main (non-daemon) thread while the server runs, so the JVM stays up until shutdown finishes. */
    private static final CountDownLatch STOPPED = new CountDownLatch(1);
    /** Set once a server is running: only then does main() wait instead of exiting. */
    private static volatile boolean serving;

    public static void main(String[] args) throws InterruptedException {
        CommandLine commands = ClientCommands.registerFor(new CommandLine(new Main()), Terminal.system(), args);
        int code = commands.setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        if (code != 0 || !serving) {
            System.exit(code); // a client command, `serve --help`, or a failed start
        }
        STOPPED.await();
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return EXIT_CONFIG;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"topics " + TopicsServer.version()};
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the server.")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--config", paramLabel = "PATH", description = "YAML config file (default: TOPICS_CONFIG, else built-in defaults)")
        Path config;

        @Option(names = "--repair", description = "Start even if the write-ahead log is damaged: cut it at the damage,"
                + " keep a copy of the files as they were under <data dir>/repair/, and log what was dropped"
                + " (see docs/RELIABILITY.md). Without it such damage stops the start with exit code 2.")
        boolean repair;

        @Override
        public Integer call() {
            LogConfig.configureRuntime();
            ServerConfig cfg;
            try {
                cfg = ConfigLoader.load(config, System.getenv());
            } catch (ConfigException e) {
                System.err.println("topics: " + e.getMessage());
                return EXIT_CONFIG;
            }
            Logs.configure(cfg.log());
            return serve(cfg, repair);
        }
    }

    /** Starts everything; returns 0 when the server runs (until SIGTERM), else the exit code. */
    static int serve(ServerConfig cfg, boolean repair) {
        TopicsServer server;
        try {
            server = TopicsServer.start(cfg, repair);
        } catch (TopicsServer.StartFailure e) {
            System.err.println("topics: " + e.getMessage());
            return EXIT_CONFIG;
        }
        installShutdown(server);
        serving = true;
        LOG.info(server.startLine());
        return 0;
    }

    /** SIGTERM/SIGINT: stop accepting, finish in-flight commits, final snapshot, exit 0. */
    private static void installShutdown(TopicsServer server) {
        sun.misc.SignalHandler handler = sig -> {
            LOG.info("topics: " + sig.getName() + " received, draining");
            try {
                server.stop();
                LOG.info("topics: stopped cleanly");
                Runtime.getRuntime().halt(0);
            } catch (RuntimeException e) {
                LOG.severe("topics: shutdown failed: " + e);
                Runtime.getRuntime().halt(1);
            }
        };
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), handler);
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), handler);
    }
}
