package org.yrd.linkage.model;

/** Kinds of IoT sensor (sensor-reading.schema.json). */
public enum SensorKind {
    WATER_LEVEL, RAINFALL, GAS, SMOKE, WATER_QUALITY, AIR_QUALITY, STRUCTURAL
}
