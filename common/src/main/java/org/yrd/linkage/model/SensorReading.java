package org.yrd.linkage.model;

/** One IoT sensor reading, as validated against sensor-reading.schema.json. */
public record SensorReading(
        String id,
        String sensorId,
        SensorKind kind,
        double value,
        String unit,
        long ts,
        double lat,
        double lon,
        String cityCode) {}
