package org.yrd.linkage.model;

/** Categories of a 110 emergency call (emergency-call.schema.json). */
public enum CallCategory {
    FIRE, EXPLOSION, GAS_LEAK, FLOOD, COLLAPSE, POLLUTION, TRAFFIC_ACCIDENT, PUBLIC_DISORDER,
    VIOLENCE, FRAUD, MISSING_PERSON, OTHER
}
