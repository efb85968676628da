package org.yrd.linkage.runtime;

/**
 * One input record as a source read it, before parsing: its bytes and where it came from, so that
 * a record the engine cannot use can be found and replayed from its dead letter. {@code origin} is
 * the Kafka topic or the replay file's name; {@code partition} the topic's partition (-1 for a
 * file); {@code position} the offset in the partition, or the 1-based line number in the file.
 * The source text is made only when a dead letter needs it.
 */
public record RawRecord(byte[] value, String origin, int partition, long position) {

    /** No file or partition: records made in memory (tests). */
    public static final int NO_PARTITION = -1;

    /** {@code topic/partition/offset} in live mode, {@code file:line} in replay (contracts/README.md). */
    public String source() {
        return partition == NO_PARTITION ? origin + ':' + position : origin + '/' + partition + '/' + position;
    }

    /** A line of a file (replay, tests). */
    public static RawRecord line(byte[] value, String file, long lineNumber) {
        return new RawRecord(value, file, NO_PARTITION, lineNumber);
    }
}
