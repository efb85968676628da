package org.yrd.linkage.chain;

import org.yrd.linkage.model.Event;

/** An event addressed to one key of a rule operator (a grid cell, a sensor kind, an identifier...). */
public record Routed(String key, Event event) {}
