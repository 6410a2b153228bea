#!/usr/bin/env bash
# shellcheck shell=bash
#
# Finds a JDK for topics. Sourced by bin/topics, bin/test and .ci/run:
#
#   source bin/jdk.sh
#   JAVA_HOME=$(find_jdk) || exit 1
#
# (bin/topics uses find_jdk_cached, which remembers the answer in target/.)
#
# find_jdk prints the home of a JDK 21 or newer (one with bin/java and bin/javac).
# A $JAVA_HOME that qualifies is used as it is: setting it is how a user picks a JDK.
# Otherwise the newest qualifying JDK among the java on PATH and the search roots wins
# (equal versions: the first found). The roots are globs, space-separated, overridable
# with TOPICS_JDK_ROOTS. When nothing qualifies it says on stderr what it saw and
# returns 1. Run directly (bash bin/jdk.sh) it prints what find_jdk finds.

TOPICS_MIN_JDK=21

# The roots searched after $JAVA_HOME and PATH, in order.
topics_default_jdk_roots() {
    printf '%s' "/usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* ${HOME:-/root}/.sdkman/candidates/java/*"
    printf ' %s\n' "/Library/Java/JavaVirtualMachines/*/Contents/Home"
}

# Prints the major version of the java in JDK home $1 (8 for "1.8.0_392", 17 for
# "17.0.15", 21 for "21", 25 for "25.0.1" or "25-ea"); fails if it does not run.
topics_java_major() {
    local out version pattern='version "([^"]*)"'
    out=$("$1/bin/java" -version 2>&1) || return 1
    [[ $out =~ $pattern ]] || return 1
    version=${BASH_REMATCH[1]}
    case $version in
        1.*) version=${version#1.} ;;
    esac
    version=${version%%[!0-9]*}
    [[ -n $version ]] || return 1
    printf '%s\n' "$version"
}

find_jdk() {
    local min=$TOPICS_MIN_JDK
    local roots=${TOPICS_JDK_ROOTS:-$(topics_default_jdk_roots)}
    local -a candidates=() seen_homes=() saw=()
    local best="" best_major=0 home real major java_on_path pattern

    if [[ -n ${JAVA_HOME:-} ]]; then
        candidates+=("$JAVA_HOME")
    fi
    if java_on_path=$(command -v java 2>/dev/null) && [[ -n $java_on_path ]]; then
        real=$(readlink -f -- "$java_on_path" 2>/dev/null || printf '%s' "$java_on_path")
        home=${real%/bin/java}
        home=${home%/jre}                  # a JDK 8 runs jre/bin/java
        candidates+=("$home")
    fi
    # Word splitting and globbing of the roots is the point here.
    # shellcheck disable=SC2086
    for pattern in $roots; do
        [[ -d $pattern ]] && candidates+=("$pattern")
    done

    # ${a[@]+...}: an empty array is "unbound" to bash before 4.4 (macOS ships 3.2).
    for home in ${candidates[@]+"${candidates[@]}"}; do
        real=$(readlink -f -- "$home" 2>/dev/null || printf '%s' "$home")
        if [[ " ${seen_homes[*]-} " == *" $real "* ]]; then
            continue                       # a symlink to a home already tried
        fi
        seen_homes+=("$real")
        if [[ ! -x $home/bin/java ]]; then
            if [[ -n ${JAVA_HOME:-} && $home == "$JAVA_HOME" ]]; then
                saw+=("JAVA_HOME=$home has no bin/java")
            fi
            continue
        fi
        if ! major=$(topics_java_major "$home"); then
            saw+=("$home/bin/java does not run")
            continue
        fi
        if [[ ! -x $home/bin/javac ]]; then
            saw+=("Java $major without javac (a JRE) at $home")
            continue
        fi
        if ((major < min)); then
            saw+=("Java $major at $home, too old")
            continue
        fi
        if [[ -n ${JAVA_HOME:-} && $home == "$JAVA_HOME" ]]; then
            printf '%s\n' "$home"          # an explicit, usable choice
            return 0
        fi
        if ((major > best_major)); then
            best=$home
            best_major=$major
        fi
    done

    if [[ -n $best ]]; then
        printf '%s\n' "$best"
        return 0
    fi
    local found="nothing"
    if ((${#saw[@]} > 0)); then
        found=$(printf '%s; ' "${saw[@]}")
        found=${found%; }
    fi
    echo "topics needs a JDK $min or newer (found: $found). Install one, e.g." \
        "'apt-get install openjdk-21-jdk' or Temurin 21+, or set JAVA_HOME." >&2
    return 1
}

# find_jdk, remembered in file $1 (e.g. target/jdk-home): the search runs `java -version`
# on every candidate (about 0.2 s); the launcher runs on every client command. The file
# holds the inputs of the search (JAVA_HOME, TOPICS_JDK_ROOTS, the java on PATH) and its
# answer; it is used while those inputs are the same and the JDK is still there, else the
# search runs again and the file is rewritten (when its directory exists).
find_jdk_cached() {
    local cache=$1 inputs home line1="" line2=""
    inputs="JAVA_HOME=${JAVA_HOME:-} TOPICS_JDK_ROOTS=${TOPICS_JDK_ROOTS:-} java=$(command -v java 2>/dev/null || true)"
    if [[ -f $cache ]]; then
        { IFS= read -r line1 && IFS= read -r line2; } <"$cache" || true
        if [[ $line1 == "$inputs" && -n $line2 && -x $line2/bin/java && -x $line2/bin/javac ]]; then
            printf '%s\n' "$line2"
            return 0
        fi
    fi
    home=$(find_jdk) || return 1
    if [[ -d $(dirname -- "$cache") ]]; then
        printf '%s\n%s\n' "$inputs" "$home" >"$cache.$$" 2>/dev/null && mv -f -- "$cache.$$" "$cache" 2>/dev/null || true
    fi
    printf '%s\n' "$home"
}

# Exports MAVEN_OPTS for running Maven on the JDK in $JAVA_HOME: on JDK 24 and newer,
# Maven's own libraries warn about sun.misc.Unsafe on every run; allow it quietly.
topics_maven_env() {
    local major
    major=$(topics_java_major "$JAVA_HOME") || return 0
    if ((major >= 24)) && [[ ${MAVEN_OPTS:-} != *sun-misc-unsafe-memory-access* ]]; then
        export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"
    fi
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    find_jdk
fi
