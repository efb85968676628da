package org.yrd.linkage.cyber;

import java.util.ArrayList;
import java.util.List;

/** The bursts of one identifier that can still change, oldest first (at most an open one and a closed one). A Flink POJO. */
public class Bursts {
    public List<Burst> open = new ArrayList<>();

    public Bursts() {}
}
