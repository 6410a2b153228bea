/**
 * Named fault points for crash tests ({@code Faults}).
 *
 * <p>Rule: a leaf, importing nothing of the storage; any storage package but {@code io} may
 * import it ({@code io} takes its callers' fault points as callbacks).
 */
package dev.topics.storage.fault;
