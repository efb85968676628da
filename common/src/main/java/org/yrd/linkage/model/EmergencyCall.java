package org.yrd.linkage.model;

/**
 * One 110 emergency call, as validated against emergency-call.schema.json. The operator's free
 * text and the pseudonymised caller are not kept: no rule uses them and neither may leave the engine.
 */
public record EmergencyCall(
        String id,
        long ts,
        double lat,
        double lon,
        String cityCode,
        CallCategory category) {}
