package org.yrd.linkage.incident;

import java.util.ArrayList;
import java.util.List;

/** The episodes of one sensor kind, or the clusters of one call category, that can still change, oldest first. A Flink POJO. */
public class Groups {
    public List<Group> open = new ArrayList<>();

    public Groups() {}
}
