package dev.topics.cli;

import java.util.List;
import picocli.CommandLine;

/**
 * Adds the client commands to the launcher's command line, beside {@code serve}:
 * each command gets the {@link Terminal} it reads and prints through, and a
 * {@link Failure} becomes {@code topics: <message>} on stderr and exit code 1.
 */
public final class ClientCommands {
    private static final List<Class<?>> COMMANDS = List.of(TopicsCommand.class, WriteCommand.class,
            ReadCommand.class, TailCommand.class, DeleteRecordsCommand.class, RoutersCommand.class,
            SharesCommand.class, PrincipalsCommand.class, PermissionsCommand.class, WebhooksCommand.class,
            CompletionCommand.class);

    private ClientCommands() {
    }

    /** Registers the commands on {@code root}, and points its output at the terminal's streams. */
    public static CommandLine register(CommandLine root, Terminal terminal) {
        return register(root, terminal, COMMANDS);
    }

    /**
     * Registers only the command {@code args} name first, when they name one (else all of
     * them): picocli builds each command's model, with reflection, as it is added, which for
     * every command is a good part of a short command's start. {@code completion} needs them
     * all: its scripts are made from the whole model.
     */
    public static CommandLine registerFor(CommandLine root, Terminal terminal, String[] args) {
        if (args.length > 0 && !args[0].equals("completion")) {
            for (Class<?> c : COMMANDS) {
                if (c.getAnnotation(CommandLine.Command.class).name().equals(args[0])) {
                    return register(root, terminal, List.of(c));
                }
            }
        }
        return register(root, terminal, COMMANDS);
    }

    private static CommandLine register(CommandLine root, Terminal terminal, List<Class<?>> commands) {
        CommandLine.IFactory factory = new Factory(terminal);
        for (Class<?> c : commands) {
            root.addSubcommand(new CommandLine(c, factory));
        }
        root.setOut(terminal.out());
        root.setErr(terminal.err());
        root.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof Failure) {
                cmd.getErr().println("topics: " + e.getMessage());
                cmd.getErr().flush();
                return 1;
            }
            throw e;
        });
        return root;
    }

    /** Makes commands as picocli's default factory does, then hands client commands the terminal. */
    private record Factory(Terminal terminal) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            K made = CommandLine.defaultFactory().create(cls);
            if (made instanceof ClientCommand c) {
                c.terminal = terminal;
            }
            return made;
        }
    }
}
