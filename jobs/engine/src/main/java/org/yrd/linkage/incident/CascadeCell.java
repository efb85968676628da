package org.yrd.linkage.incident;

import java.util.HashMap;
import java.util.Map;

/** The INC-CASCADE incidents of the sensors in one grid cell that can still change, by alert id. A Flink POJO. */
public class CascadeCell {
    public Map<String, Incident> open = new HashMap<>();

    public CascadeCell() {}
}
