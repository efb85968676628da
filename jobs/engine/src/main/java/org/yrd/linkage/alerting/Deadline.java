package org.yrd.linkage.alerting;

/** One (alert, province) awaiting acknowledgement, and the escalation it led to. A Flink POJO. */
public class Deadline {
    public long deadline;
    public long slaMinutes;
    /** The deadline passed with an ack in time or after a CANCEL: nothing more to do. */
    public boolean settled;
    /** Revision of the escalation sent to this province; 0 while none was. */
    public int escalationRevision;
    /** The restore generation in which the last escalation revision was sent (see Generations). */
    public int generation;

    public Deadline() {}
}
