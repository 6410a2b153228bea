package dev.topics.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Completion scripts for bash, zsh and fish, made from the command line's own model, so
 * they never fall behind a new command or option. Each script holds tables (per command
 * path: its subcommands, flags, options that take a value, the choices of those values,
 * and what its first argument is) and a small driver that walks the words typed so far
 * through them. Topic names — the first argument of a command about a topic, or the value
 * of {@code --topic}, {@code --name} of the {@code topics} commands, {@code --source} and
 * {@code --dest} — are asked of the server at completion time with the hidden
 * {@code completion topic-names} command (the same launcher the user typed, with the
 * {@code --server} and {@code --token} typed on the line, else the environment's); when
 * the server cannot be reached, nothing is offered.
 *
 * <p>The tables are variables named {@code __topics_<table>_<path>}, the path's words
 * joined with {@code __} and {@code -} written {@code _}: read by name (bash {@code ${!v}},
 * zsh {@code ${(P)v}}, fish {@code $$v}), which needs no associative arrays (bash 3.2 on
 * macOS has none).
 */
final class CompletionScripts {
    /** What a command's first argument takes: topic names from the server, or fixed words. */
    static final String TOPIC = "@topic";

    private final String command;
    /** Table name → value (words separated by spaces), in a stable order. */
    private final Map<String, String> tables = new LinkedHashMap<>();

    CompletionScripts(String command, CommandLine root) {
        this.command = command;
        collect(root, "root", List.of());
    }

    /** Identifier form of a word: {@code -} becomes {@code _}. */
    static String key(String word) {
        return word.replace('-', '_');
    }

    private void collect(CommandLine cl, String path, List<String> words) {
        CommandSpec spec = cl.getCommandSpec();
        List<String> subs = new ArrayList<>();
        cl.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().usageMessage().hidden()) {
                subs.add(name);
            }
        });
        List<String> flags = new ArrayList<>();
        List<String> opts = new ArrayList<>();
        List<String> topicOpts = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            boolean takesValue = o.arity().max() > 0;
            for (String name : o.names()) {
                (takesValue ? opts : flags).add(name);
                if (o.negatable() && name.startsWith("--")) {
                    flags.add("--no-" + name.substring(2));
                }
                if (takesValue && isTopic(o.paramLabel(), name, words)) {
                    topicOpts.add(name);
                }
                if (takesValue && o.completionCandidates() != null) {
                    tables.put("choices_" + path + "_" + key(name), String.join(" ", o.completionCandidates()));
                }
            }
        }
        put("subs", path, subs);
        put("flags", path, flags);
        put("opts", path, opts);
        put("topicopts", path, topicOpts);
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.index().min() == 0 && !p.hidden()) {
                if (isTopic(p.paramLabel(), null, words)) {
                    tables.put("pos0_" + path, TOPIC);
                } else if (p.completionCandidates() != null) {
                    tables.put("pos0_" + path, String.join(" ", p.completionCandidates()));
                }
                break;
            }
        }
        cl.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().usageMessage().hidden()) {
                List<String> more = new ArrayList<>(words);
                more.add(name);
                collect(sub, path + "__" + key(name), more);
            }
        });
    }

    /** Whether an option or argument takes a topic's name: labelled TOPIC, or the topics commands' NAME. */
    private static boolean isTopic(String label, String optionName, List<String> words) {
        boolean topicsGroup = !words.isEmpty() && words.getFirst().equals("topics");
        return label.equals("TOPIC") || topicsGroup && label.equals("NAME")
                && (optionName == null || optionName.equals("--name"));
    }

    private void put(String table, String path, List<String> words) {
        if (!words.isEmpty()) {
            tables.put(table + "_" + path, String.join(" ", words));
        }
    }

    // ---- bash ----------------------------------------------------------------------------

    String bash() {
        StringBuilder b = new StringBuilder();
        b.append("# bash completion for ").append(command).append(" (made by: ").append(command)
                .append(" completion bash)\n");
        b.append("# Use: source <(").append(command).append(" completion bash), or save it in a bash_completion.d.\n");
        tables.forEach((name, value) -> b.append("__topics_").append(name).append("='").append(value).append("'\n"));
        b.append("""

                __topics_topic_names() { # launcher prefix server token
                    local cmd=$1
                    [[ $cmd == "~/"* ]] && cmd=$HOME/${cmd#"~/"}
                    "$cmd" completion topic-names ${3:+--server "$3"} ${4:+--token "$4"} -- "$2" 2>/dev/null
                }

                _topics() {
                    local cur=${COMP_WORDS[COMP_CWORD]} cpath=root word v i npos=0 want="" server="" token="" words=""
                    for ((i = 1; i < COMP_CWORD; i++)); do
                        word=${COMP_WORDS[i]}
                        if [[ -n $want ]]; then
                            [[ $want == --server ]] && server=$word
                            [[ $want == --token ]] && token=$word
                            want=""
                            continue
                        fi
                        case $word in
                            -*=*) ;;
                            -*) v=__topics_opts_$cpath; [[ " ${!v-} " == *" $word "* ]] && want=$word ;;
                            *)
                                v=__topics_subs_$cpath
                                if ((npos == 0)) && [[ " ${!v-} " == *" $word "* ]]; then
                                    cpath=${cpath}__${word//-/_}
                                else
                                    npos=$((npos + 1))
                                fi
                                ;;
                        esac
                    done
                    if [[ -n $want ]]; then
                        v=__topics_topicopts_$cpath
                        if [[ " ${!v-} " == *" $want "* ]]; then
                            words=$(__topics_topic_names "${COMP_WORDS[0]}" "$cur" "$server" "$token")
                        else
                            v=__topics_choices_${cpath}_${want//-/_}
                            words=${!v-}
                        fi
                    elif [[ $cur == -* ]]; then
                        v=__topics_flags_$cpath
                        words=${!v-}
                        v=__topics_opts_$cpath
                        words="$words ${!v-}"
                    elif ((npos == 0)); then
                        v=__topics_subs_$cpath
                        words=${!v-}
                        if [[ -z $words ]]; then
                            v=__topics_pos0_$cpath
                            words=${!v-}
                            if [[ $words == @topic ]]; then
                                words=$(__topics_topic_names "${COMP_WORDS[0]}" "$cur" "$server" "$token")
                            fi
                        fi
                    fi
                    local IFS=$' \\n'
                    COMPREPLY=($(compgen -W "$words" -- "$cur"))
                }

                """);
        b.append("complete -o default -F _topics ").append(command).append('\n');
        return b.toString();
    }

    // ---- zsh -----------------------------------------------------------------------------

    String zsh() {
        StringBuilder b = new StringBuilder();
        b.append("#compdef ").append(command).append('\n');
        b.append("# zsh completion for ").append(command).append(" (made by: ").append(command)
                .append(" completion zsh)\n");
        b.append("# Use: source <(").append(command).append(" completion zsh) after compinit, or save it as _")
                .append(command).append(" in a directory of $fpath.\n");
        tables.forEach((name, value) -> b.append("__topics_").append(name).append("='").append(value).append("'\n"));
        b.append("""

                __topics_topic_names() { # launcher prefix server token
                    local cmd=${1/#\\~/$HOME}
                    "$cmd" completion topic-names ${3:+--server} ${3:+"$3"} ${4:+--token} ${4:+"$4"} -- "$2" 2>/dev/null
                }

                _topics() {
                    local cur=${words[CURRENT]} cpath=root word v i npos=0 want="" server="" token=""
                    local -a cands
                    for ((i = 2; i < CURRENT; i++)); do
                        word=${words[i]}
                        if [[ -n $want ]]; then
                            [[ $want == --server ]] && server=$word
                            [[ $want == --token ]] && token=$word
                            want=""
                            continue
                        fi
                        case $word in
                            -*=*) ;;
                            -*) v=__topics_opts_$cpath; [[ " ${(P)v} " == *" $word "* ]] && want=$word ;;
                            *)
                                v=__topics_subs_$cpath
                                if ((npos == 0)) && [[ " ${(P)v} " == *" $word "* ]]; then
                                    cpath=${cpath}__${word//-/_}
                                else
                                    npos=$((npos + 1))
                                fi
                                ;;
                        esac
                    done
                    if [[ -n $want ]]; then
                        v=__topics_topicopts_$cpath
                        if [[ " ${(P)v} " == *" $want "* ]]; then
                            cands=(${(f)"$(__topics_topic_names "$words[1]" "$cur" "$server" "$token")"})
                            cands=(${cands:#})
                        else
                            v=__topics_choices_${cpath}_${want//-/_}
                            cands=(${=${(P)v}})
                        fi
                    elif [[ $cur == -* ]]; then
                        v=__topics_flags_$cpath
                        cands=(${=${(P)v}})
                        v=__topics_opts_$cpath
                        cands+=(${=${(P)v}})
                    elif ((npos == 0)); then
                        v=__topics_subs_$cpath
                        cands=(${=${(P)v}})
                        if ((${#cands} == 0)); then
                            v=__topics_pos0_$cpath
                            if [[ ${(P)v} == @topic ]]; then
                                cands=(${(f)"$(__topics_topic_names "$words[1]" "$cur" "$server" "$token")"})
                                cands=(${cands:#})
                            else
                                cands=(${=${(P)v}})
                            fi
                        fi
                    fi
                    if ((${#cands} > 0)); then
                        compadd -- $cands
                    else
                        _files
                    fi
                }

                """);
        b.append("if [[ ${funcstack[1]-} == _topics ]]; then\n    _topics \"$@\"\nelse\n    compdef _topics ")
                .append(command).append("\nfi\n");
        return b.toString();
    }

    // ---- fish ----------------------------------------------------------------------------

    String fish() {
        StringBuilder b = new StringBuilder();
        b.append("# fish completion for ").append(command).append(" (made by: ").append(command)
                .append(" completion fish)\n");
        b.append("# Use: ").append(command).append(" completion fish | source, or save it as ~/.config/fish/completions/")
                .append(command).append(".fish\n");
        tables.forEach((name, value) -> b.append("set -g __topics_").append(name).append(' ').append(value).append('\n'));
        b.append("""

                function __topics_topic_names --argument-names cmd prefix server token
                    set cmd (string replace -r '^~' $HOME -- $cmd)
                    set -l extra
                    test -n "$server"; and set -a extra --server $server
                    test -n "$token"; and set -a extra --token $token
                    $cmd completion topic-names $extra -- $prefix 2>/dev/null
                end

                function __topics_complete
                    set -l tokens (commandline -opc)
                    set -l cur (commandline -ct)
                    set -l launcher $tokens[1]
                    set -e tokens[1]
                    set -l cpath root
                    set -l npos 0
                    set -l want ''
                    set -l server ''
                    set -l token ''
                    for word in $tokens
                        if test -n "$want"
                            test "$want" = --server; and set server $word
                            test "$want" = --token; and set token $word
                            set want ''
                            continue
                        end
                        switch $word
                            case '-*=*'
                            case '-*'
                                set -l v __topics_opts_$cpath
                                if contains -- $word $$v
                                    set want $word
                                end
                            case '*'
                                set -l v __topics_subs_$cpath
                                if test $npos -eq 0; and contains -- $word $$v
                                    set cpath {$cpath}__(string replace -a -- - _ $word)
                                else
                                    set npos (math $npos + 1)
                                end
                        end
                    end
                    if test -n "$want"
                        set -l v __topics_topicopts_$cpath
                        if contains -- $want $$v
                            __topics_topic_names $launcher $cur $server $token
                        else
                            set -l c __topics_choices_{$cpath}_(string replace -a -- - _ $want)
                            if set -q $c
                                printf '%s\\n' $$c
                            else
                                __fish_complete_path $cur
                            end
                        end
                    else if string match -q -- '-*' $cur
                        set -l f __topics_flags_$cpath
                        set -l o __topics_opts_$cpath
                        printf '%s\\n' $$f $$o
                    else if test $npos -eq 0
                        set -l s __topics_subs_$cpath
                        set -l p __topics_pos0_$cpath
                        if set -q $s
                            printf '%s\\n' $$s
                        else if test "$$p" = @topic
                            __topics_topic_names $launcher $cur $server $token
                        else if set -q $p
                            printf '%s\\n' $$p
                        else
                            __fish_complete_path $cur
                        end
                    else
                        __fish_complete_path $cur
                    end
                end

                """);
        b.append("complete -c ").append(command).append(" -f -a '(__topics_complete)'\n");
        return b.toString();
    }
}
